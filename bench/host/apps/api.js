// An API gateway's request: fetches a small JSON document from an upstream (the URL in ?url=),
// parses it and answers JSON built from it.
export default {
  async fetch(request) {
    const upstream = await fetch(new URL(request.url).searchParams.get('url'));
    const data = await upstream.json();
    return Response.json({ ...data, via: 'api' });
  },
};
