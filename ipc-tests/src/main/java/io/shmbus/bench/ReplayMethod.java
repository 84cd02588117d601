package io.shmbus.bench;

/** The ways {@code scripts/bench replay} sends the archived topic to the receiver. */
enum ReplayMethod
{
    SENDFILE("sendfile", "raw FileChannel.transferTo of the segment files, nothing else (the physical limit)"),
    COPY_LOOP("copy-loop", "read into a direct ByteBuffer, write it to the socket (the user-space copy)"),
    MMAP_WRITE("mmap-write", "map each segment file read-only and write the mapped buffer to the socket (no read " +
        "copy: the kernel copies from the mapped page cache into the socket, once)"),
    SHMBUS_NET("shmbus-net", "the broker's network server (--net-port) serving a subscriber process a bounded " +
        "replay [earliest, end) per docs/protocol.md: transferTo from the segment files inside the broker " +
        "(sender CPU = the broker process over the window; the receiver also counts the 32-byte END frame)"),
    SHMBUS_CLI("shmbus-cli", "shmbus replay --format frames --connect: resolves the range through the broker, " +
        "then transferTo from the segment files (sender = the command; the broker's CPU over the same window is " +
        "added)"),
    SHMBUS_CLI_FIXED("shmbus-cli-64k", "the same command for the first 64 KiB only: the fixed cost of one " +
        "invocation (class loading and compilation in a new JVM, connecting to the broker, resolving the range)");

    final String id;
    final String description;

    ReplayMethod(final String id, final String description)
    {
        this.id = id;
        this.description = description;
    }
}
