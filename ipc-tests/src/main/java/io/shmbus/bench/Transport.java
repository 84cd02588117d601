package io.shmbus.bench;

/**
 * One system under test as seen by a benchmark child process: it makes publishers and subscribers on named
 * streams. A child process uses exactly one transport, so every call site stays monomorphic for the JIT.
 */
interface Transport extends AutoCloseable
{
    /**
     * @param stream   the stream's name (a shmbus topic).
     * @param streamId the stream's number (an Aeron stream id).
     */
    BenchPublisher publisher(String stream, int streamId);

    BenchSubscriber subscriber(String stream, int streamId, MessageHandler handler);

    void close();

    /** The settings a report should name, as {@code key=value} words; empty when there are none. */
    default String settings()
    {
        return "";
    }

    /** The transport named by a child's {@code system} argument. */
    static Transport create(final ChildArgs args)
    {
        if (ChronicleTransport.SYSTEM_ID.equals(args.get("system")))
        {
            return new ChronicleTransport(args.path("queueDir"));
        }
        final BenchSystem system = BenchSystem.parse(args.get("system"));
        switch (system)
        {
            case SHMBUS:
                return new ShmbusTransport(args.path("dir"), false, exactTimestamps(args));
            case SHMBUS_EXCLUSIVE:
                return new ShmbusTransport(args.path("dir"), true, exactTimestamps(args));
            case AERON_EXCLUSIVE:
                return new AeronTransport(args.get("aeronDir"), args.get("channel", AeronTransport.CHANNEL), true,
                    Integer.parseInt(args.get("size", "0")));
            case AERON_CONCURRENT:
                return new AeronTransport(args.get("aeronDir"), args.get("channel", AeronTransport.CHANNEL), false,
                    Integer.parseInt(args.get("size", "0")));
            case RAW_SHM:
                return new RawTransport(args.path("dir"));
            default:
                throw new IllegalArgumentException("unknown system " + system);
        }
    }

    /** {@code exactTimestamps=true}: shmbus producers stamp each frame from the system clock, for latency runs. */
    private static boolean exactTimestamps(final ChildArgs args)
    {
        return Boolean.parseBoolean(args.get("exactTimestamps", "false"));
    }
}
