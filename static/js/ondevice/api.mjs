// JSON requests to our API from the on-device modules, and its one error shape (docs/api.md,
// "Errors") in words.
export function apiError(body, status) {
  const errors = body && Array.isArray(body.errors) ? body.errors : [];
  const details = errors.map((e) => e && e.detail).filter((d) => typeof d === "string" && d);
  return details.length ? details.join(" ") : `Something went wrong (${status}). Please try again.`;
}

export function sendJson(url, body, method = "POST") {
  return fetch(url, {
    method,
    body: JSON.stringify(body),
    credentials: "same-origin",
    headers: {
      "Content-Type": "application/json",
      "Accept": "application/json",
      "X-CSRFToken": window.symphony.csrfToken(),
    },
  }).then((response) => response.json().catch(() => null).then((data) => {
    if (!response.ok) throw new Error(apiError(data, response.status));
    return data;
  }));
}

// The URLs the page gives for the runtime, the models and the pipeline (data-pipeline, data-models,
// data-runtime, data-wasm on `element`; detection/templatetags/ondevice.py writes them).
export function assetsOf(element) {
  const { pipeline, models, runtime, wasm } = element.dataset;
  return { pipeline, models, runtime, wasm };
}
