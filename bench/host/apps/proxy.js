// Streams an upstream response back (the URL in ?url=).
export default {
  async fetch(request) {
    const upstream = await fetch(new URL(request.url).searchParams.get('url'));
    return new Response(upstream.body, { status: upstream.status });
  },
};
