// Fetches the URL given in ?url= and streams it back through a TransformStream that counts the
// bytes (reported in the log once the body has passed): nothing is buffered whole.
export default {
  async fetch(request) {
    const target = new URL(request.url).searchParams.get('url');
    if (!target) return Response.json({ error: 'add ?url=<http(s) URL>' }, { status: 400 });
    let upstream;
    try {
      upstream = await fetch(target, { signal: request.signal });
    } catch (error) {
      return Response.json({ error: `fetch failed: ${error.message}` }, { status: 502 });
    }
    let bytes = 0;
    const counter = new TransformStream({
      transform(chunk, controller) {
        bytes += chunk.byteLength;
        controller.enqueue(chunk);
      },
      flush() {
        console.log(`proxy: ${bytes} bytes from ${target}`);
      },
    });
    const headers = new Headers(upstream.headers);
    headers.delete('content-encoding');
    headers.delete('content-length');
    return new Response(upstream.body?.pipeThrough(counter) ?? null, { status: upstream.status, headers });
  },
};
