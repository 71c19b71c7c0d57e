// The request body back through a TransformStream.
export default { fetch(request) { return new Response(request.body.pipeThrough(new TransformStream())); } };
