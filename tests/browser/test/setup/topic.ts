/** The topic the Node peers of the global setup and the browser peer share. */
export const WS_TOPIC = 'peerkit/browser-test/1'
