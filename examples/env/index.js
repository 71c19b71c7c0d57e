// Echoes this app's env (and only this app's) as JSON.
export default {
  fetch(request, env) {
    return Response.json({ env, frozen: Object.isFrozen(env) });
  },
};
