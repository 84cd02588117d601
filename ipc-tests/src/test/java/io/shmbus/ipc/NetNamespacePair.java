package io.shmbus.ipc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Two network namespaces joined by a veth pair, made by a test and removed by it: {@code a} holds
 * {@link #addressA()} and {@code b} {@link #addressB()} on a /24 of 10.77.0.0/16 of their own, so the test's
 * traffic never leaves this host. Each side's link can be cut and restored, and packet loss added: with
 * {@code tc netem} where the kernel has it, else by a random-drop rule of {@code nft} in each namespace. {@link #close()} deletes both namespaces (and with them the veth pair); safe to call twice.
 */
final class NetNamespacePair implements AutoCloseable
{
    private final String nsA;
    private final String nsB;
    private final String vethA;
    private final String vethB;
    private final int subnet;
    private boolean open;

    private NetNamespacePair(final String tag, final int subnet)
    {
        this.nsA = "shmbus-" + tag + "-a";
        this.nsB = "shmbus-" + tag + "-b";
        this.vethA = "shmva" + tag;
        this.vethB = "shmvb" + tag;
        this.subnet = subnet;
    }

    /**
     * Makes the pair.
     *
     * @return the pair, or null when this machine does not allow it (then {@link #whyNot} says why).
     */
    static NetNamespacePair create(final StringBuilder whyNot)
    {
        final long pid = ProcessHandle.current().pid();
        final NetNamespacePair pair = new NetNamespacePair(Long.toString(pid % 100_000), (int)(pid % 250) + 1);
        try
        {
            pair.open = true;
            run("ip", "netns", "add", pair.nsA);
            run("ip", "netns", "add", pair.nsB);
            run("ip", "link", "add", pair.vethA, "type", "veth", "peer", "name", pair.vethB);
            run("ip", "link", "set", pair.vethA, "netns", pair.nsA);
            run("ip", "link", "set", pair.vethB, "netns", pair.nsB);
            pair.inA("ip", "addr", "add", pair.addressA() + "/24", "dev", pair.vethA);
            pair.inB("ip", "addr", "add", pair.addressB() + "/24", "dev", pair.vethB);
            for (final String ns : List.of(pair.nsA, pair.nsB))
            {
                run("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");
            }
            pair.inA("ip", "link", "set", pair.vethA, "up");
            pair.inB("ip", "link", "set", pair.vethB, "up");
            return pair;
        }
        catch (final IOException ex)
        {
            whyNot.append(ex.getMessage());
            pair.close();
            return null;
        }
    }

    String addressA()
    {
        return "10.77." + subnet + ".1";
    }

    String addressB()
    {
        return "10.77." + subnet + ".2";
    }

    /** The /24 both addresses are on, as an Aeron {@code interface=} value. */
    String subnet()
    {
        return "10.77." + subnet + ".0/24";
    }

    /** The command prefix that runs a process in namespace a. */
    List<String> wrapperA()
    {
        return List.of("ip", "netns", "exec", nsA);
    }

    List<String> wrapperB()
    {
        return List.of("ip", "netns", "exec", nsB);
    }

    /** Cuts (or restores) the link on both sides, as a pulled cable would. */
    void link(final boolean up) throws IOException
    {
        inA("ip", "link", "set", vethA, up ? "up" : "down");
        inB("ip", "link", "set", vethB, up ? "up" : "down");
    }

    /**
     * Drops {@code percent} of the packets each way: every packet with {@code tc netem}, or, where the kernel has no
     * netem, every UDP datagram (the live stream and its control messages) with a random-drop rule of {@code nft}.
     *
     * @return how the loss is made, for the report.
     * @throws IOException when neither is available (the message says why for each).
     */
    String loss(final int percent) throws IOException
    {
        try
        {
            inA("tc", "qdisc", "add", "dev", vethA, "root", "netem", "loss", percent + "%");
            inB("tc", "qdisc", "add", "dev", vethB, "root", "netem", "loss", percent + "%");
            return "tc netem, every packet";
        }
        catch (final IOException netem)
        {
            try
            {
                for (final String ns : List.of(nsA, nsB))
                {
                    run(prefixed(ns, "nft", "add", "table", "inet", "shmbus_loss"));
                    run(prefixed(ns, "nft", "add", "chain", "inet", "shmbus_loss", "in",
                        "{ type filter hook input priority 0; }"));
                    run(prefixed(ns, "nft", "add", "rule", "inet", "shmbus_loss", "in", "meta", "l4proto", "udp",
                        "numgen", "random", "mod", "100", "<", Integer.toString(percent), "drop"));
                }
                return "nft random drop of UDP datagrams (no tc netem in this kernel: " + netem.getMessage() + ")";
            }
            catch (final IOException nft)
            {
                throw new IOException(netem.getMessage() + "; and " + nft.getMessage());
            }
        }
    }

    private void inA(final String... command) throws IOException
    {
        run(prefixed(nsA, command));
    }

    private void inB(final String... command) throws IOException
    {
        run(prefixed(nsB, command));
    }

    private static String[] prefixed(final String ns, final String... command)
    {
        final List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        all.addAll(List.of(command));
        return all.toArray(new String[0]);
    }

    public void close()
    {
        if (open)
        {
            open = false;
            for (final String ns : List.of(nsA, nsB))
            {
                try
                {
                    run("ip", "netns", "del", ns);
                }
                catch (final IOException ignore)
                {
                    // not made, or already gone
                }
            }
            try
            {
                run("ip", "link", "del", vethA); // if it never reached its namespace
            }
            catch (final IOException ignore)
            {
                // gone with its namespace
            }
        }
    }

    private static void run(final String... command) throws IOException
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try
        {
            if (!process.waitFor(10, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": no answer within 10 s");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", command) + ": interrupted", ex);
        }
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (0 != process.exitValue())
        {
            throw new IOException(String.join(" ", command) + " failed (exit " + process.exitValue() + "): " +
                output);
        }
    }
}
