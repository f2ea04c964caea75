/**
 * The messenger's composition: every area's services, frame handlers,
 * session lifecycles and sync sources, built once over the foundation's
 * services and handed to the WebSocket gateway. Each area adds itself in the
 * marked places.
 */
export {};
