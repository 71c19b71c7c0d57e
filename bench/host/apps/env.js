export default { fetch(request, env) { return Response.json({ region: env.REGION, greeting: env.GREETING }); } };
