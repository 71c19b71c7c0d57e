// A small JSON API routed with URLPattern: list, read and add items, and a slow endpoint that
// stops its work when the client goes away (request.signal). Items live in the isolate's memory.
const items = new Map([[1, { id: 1, name: 'first' }]]);
let nextId = 2;

const notFound = (what) => Response.json({ error: `${what} not found` }, { status: 404 });

const routes = [
  ['GET', new URLPattern({ pathname: '/items' }), () => Response.json([...items.values()])],
  ['GET', new URLPattern({ pathname: '/items/:id(\\d+)' }), (request, match) => {
    const item = items.get(Number(match.pathname.groups.id));
    return item ? Response.json(item) : notFound('item');
  }],
  ['POST', new URLPattern({ pathname: '/items' }), async (request) => {
    let body;
    try {
      body = await request.json();
    } catch {
      return Response.json({ error: 'the body must be JSON' }, { status: 400 });
    }
    if (typeof body?.name !== 'string' || body.name === '') return Response.json({ error: 'name must be a non-empty string' }, { status: 400 });
    const item = { id: nextId++, name: body.name };
    items.set(item.id, item);
    return Response.json(item, { status: 201, headers: { location: `/items/${item.id}` } });
  }],
  // /slow?ms=2000: waits, unless the client disconnects first.
  ['GET', new URLPattern({ pathname: '/slow' }), async (request) => {
    const ms = Math.min(Number(new URL(request.url).searchParams.get('ms') ?? 1000), 10_000);
    const aborted = await new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), ms);
      request.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        console.log(`slow request stopped early: ${request.signal.reason.message}`);
        resolve(true);
      });
    });
    return aborted ? new Response(null, { status: 499 }) : Response.json({ waited: ms });
  }],
];

export default {
  async fetch(request) {
    for (const [method, pattern, handle] of routes) {
      const match = pattern.exec(request.url);
      if (match === null) continue;
      if (request.method !== method) continue;
      return handle(request, match);
    }
    return notFound('route');
  },
};
