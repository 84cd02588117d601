package io.shmbus.soak;

import io.shmbus.ipc.JavaProcess;

/**
 * One place in the soak's cast (the broker, producer 2, the remote consumer of topic b, ...) and its current process;
 * a killed member is started again as a new incarnation. Used by the soak's main thread only.
 */
final class Member
{
    final Role role;
    final String name;
    final String topic;
    final String mode;
    JavaProcess process;
    int incarnation;
    /** The current incarnation failed by itself (reported once, never restarted). */
    boolean failed;
    /** When to start the next incarnation after a kill (System.nanoTime), or 0. */
    long restartAtNs;
    /** A producer's current stream. */
    StreamRecord stream;
    /** A consumer's current incarnation. */
    ReadRecord read;
    /** Where a consumer's next incarnation starts: its predecessor's last reported position, or -1 (earliest). */
    long resumePosition = -1;

    Member(final Role role, final String name, final String topic, final String mode)
    {
        this.role = role;
        this.name = name;
        this.topic = topic;
        this.mode = mode;
    }

    /** The process name of the current incarnation: {@code producer-2.3}. */
    String processName()
    {
        return name + "." + incarnation;
    }

    boolean isRunning()
    {
        return null != process && process.isAlive();
    }
}
