package io.shmbus.bench;

/**
 * The paths {@code scripts/bench zero-copy} accounts for, each with the process that moves the bytes (the one
 * measured) and the CPU copies of the payload that process makes, derived from the code path: what the table's
 * copy column says and why.
 */
enum ZeroCopyPath
{
    OFFER("offer", "ring", "producer", 1,
        "Producer.offer copies the payload from the caller's buffer into the ring: one memcpy in user space"),
    CLAIM("tryClaim", "ring", "producer", 0,
        "Producer.tryClaim hands out the frame's place in the ring; the producer writes its message there and " +
        "commits it"),
    POLL("poll", "ring", "consumer", 0,
        "Consumer.poll passes the handler a view of the frame in the ring; the handler reads it there"),
    ARCHIVE("archive", "ring to segment", "broker", 1,
        "the archiver's pwrite from the ring's mapping: the kernel copies the pages into the segment file's " +
        "page cache (copy_from_user); the disk write later is the device's DMA"),
    COPY_LOOP("read/write", "segment to socket", "sender", 2,
        "read copies the page cache into a user buffer (kernel to user), write copies it into the socket " +
        "buffer (user to kernel)"),
    MMAP_WRITE("mmap+write", "segment to socket", "sender", 1,
        "write copies from the mapped page cache into the socket buffer (user mapping to kernel); no read copy"),
    SENDFILE("sendfile", "segment to socket", "sender", 0,
        "FileChannel.transferTo is sendfile: the socket buffer takes references to the page-cache pages (lo " +
        "does scatter-gather), nothing is copied by the sender"),
    NET_SERVER("shmbus-net", "segment to socket", "broker", 0,
        "the network server's transferTo (sendfile) from the segment files; frame headers are read with " +
        "32-byte preads before they are sent"),
    REPLAY("shmbus replay --connect", "segment to socket", "replay command", 0,
        "shmbus replay --format frames: transferTo (sendfile) from the segment files after the same header " +
        "check");

    final String id;
    final String stage;
    final String mover;
    final int cpuCopies;
    final String copiesReason;

    ZeroCopyPath(final String id, final String stage, final String mover, final int cpuCopies,
        final String copiesReason)
    {
        this.id = id;
        this.stage = stage;
        this.mover = mover;
        this.cpuCopies = cpuCopies;
        this.copiesReason = copiesReason;
    }

    /** True for the paths that end in a socket, where the receiver's read adds one more copy on loopback. */
    boolean toSocket()
    {
        return "segment to socket".equals(stage);
    }
}
