package io.shmbus.client.remote;

/**
 * What a {@link SubscribeResponseAdapter} makes of the broker's answer to a subscribe request. Called on the
 * polling thread.
 */
interface SubscribeResponseListener
{
    /** An OK response with a plausible start position and max frame length. */
    void onSubscribed(long startPosition, int maxFrameLength);

    /** An ERROR response: its code ({@link RemoteProtocol}) and the broker's message. */
    void onSubscribeError(int errorCode, String message);

    /** The broker answered in a protocol version this client does not speak (not 1 to {@link RemoteProtocol#VERSION}). */
    void onUnsupportedVersion(int version);

    /** The answer breaks the protocol: a bad header, an unknown type, or an impossible OK. */
    void onMalformedResponse(String problem);

    /** The broker closed the connection before it answered. */
    void onClosedBeforeResponse();
}
