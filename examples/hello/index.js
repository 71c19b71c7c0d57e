// The smallest app: plain text.
export default {
  fetch(request) {
    return new Response(`Hello from NANO! You asked for ${new URL(request.url).pathname}\n`, {
      headers: { 'content-type': 'text/plain; charset=utf-8' },
    });
  },
};
