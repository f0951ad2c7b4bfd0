"""The emotion CNN: a compact residual network sized for 2 CPU cores.

Plain 3x3 convolutions throughout: on CPU, depthwise convolutions train
slower than full ones at these sizes. About 50 M multiply-adds per face.
"""

from __future__ import annotations

import keras
from keras import layers

from ml.labels import NUM_CLASSES
from ml.preprocess import INPUT_SIZE


def _conv_bn(x, filters, *, stride=1, separable=False, name=None):
    conv = layers.SeparableConv2D if separable else layers.Conv2D
    x = conv(filters, 3, strides=stride, padding="same", use_bias=False, name=name)(x)
    x = layers.BatchNormalization(momentum=0.95)(x)
    return layers.ReLU()(x)


def _block(x, filters, *, stride=1, separable=False):
    shortcut = x
    y = _conv_bn(x, filters, stride=stride, separable=separable)
    y = (
        layers.SeparableConv2D(filters, 3, padding="same", use_bias=False)(y)
        if separable
        else layers.Conv2D(filters, 3, padding="same", use_bias=False)(y)
    )
    y = layers.BatchNormalization(momentum=0.95)(y)
    if stride != 1 or shortcut.shape[-1] != filters:
        shortcut = layers.Conv2D(filters, 1, strides=stride, use_bias=False)(shortcut)
        shortcut = layers.BatchNormalization(momentum=0.95)(shortcut)
    return layers.ReLU()(layers.Add()([y, shortcut]))


def build_model(width: int = 32, dropout: float = 0.3) -> keras.Model:
    """Residual CNN on 48x48 gray faces: 48 -> 24 -> 12 -> 6, channels width x (1, 2, 4).

    A strided stem drops to 24x24 right after the first convolution: a 48x48
    face carries little more detail than that, and the full-resolution stage
    would otherwise cost half the network's multiply-adds.
    """
    inputs = keras.Input((INPUT_SIZE, INPUT_SIZE, 1), name="face")
    x = _conv_bn(inputs, width // 2)
    x = _conv_bn(x, width, stride=2)
    x = _block(x, width)
    x = _block(x, width * 2, stride=2)
    x = _block(x, width * 2)
    x = _block(x, width * 4, stride=2)
    x = _block(x, width * 4)
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(dropout)(x)
    outputs = layers.Dense(NUM_CLASSES, name="logits")(x)
    return keras.Model(inputs, outputs, name="emotion_resnet")
