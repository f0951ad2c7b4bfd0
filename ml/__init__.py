"""Emotion recognition library: data, model, training, evaluation and inference.

Plain Python (numpy, OpenCV, Pillow, TensorFlow/LiteRT); it never imports Django.
"""
