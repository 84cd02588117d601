package io.shmbus.client.log;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The stores each step of the ring protocols makes to shared memory, in program order, labelled as
 * {@link StoreHook#trace()} labels them: the rows of the crash-point table in docs/reliability.md. Tests run each
 * step through a {@link StoreHook} and compare, so a new store cannot be added without a new crash point.
 */
public final class ProtocolStores
{
    /** A producer's claim, from the tail CAS to the header fields (no end-of-ring padding). */
    public static final List<String> CLAIM = List.of(
        "meta CAS tailPosition",
        "ring store position",
        "ring CAS commit word",
        "ring store timestamp",
        "ring store producer id",
        "ring store checksum");

    /** {@code offer}: the claim, the payload copy, the commit. */
    public static final List<String> OFFER = concat(CLAIM, "ring store bytes", "ring release store frame length");

    /** {@code offer} of a frame that does not fit before the ring's end: the padding frame comes first. */
    public static final List<String> OFFER_WRAP = concat(List.of(
        "meta CAS tailPosition",
        "ring store position",
        "ring CAS commit word"),
        concat(CLAIM.subList(1, CLAIM.size()), "ring store bytes", "ring release store frame length"));

    /** {@code tryClaim} with checksums, the payload written in place, {@code commit}. */
    public static final List<String> CLAIM_COMMIT_WITH_CHECKSUM =
        concat(CLAIM, "ring store checksum", "ring release store frame length");

    /** {@code tryClaim}, then {@code abort}. */
    public static final List<String> CLAIM_ABORT = concat(CLAIM, "ring release store commit word");

    /**
     * An exclusive producer's {@code offer}: the header past the tail (its length negative), the tail published,
     * the payload, the commit.
     */
    public static final List<String> EXCLUSIVE_OFFER = List.of(
        "ring store position",
        "ring store timestamp",
        "ring store producer id",
        "ring store checksum",
        "ring store commit word",
        "meta release store tailPosition",
        "ring store bytes",
        "ring release store frame length");

    /** An exclusive producer's {@code offer} of a frame that does not fit before the ring's end. */
    public static final List<String> EXCLUSIVE_OFFER_WRAP = List.of(
        "ring store position",
        "ring store commit word",
        "ring store position",
        "ring store timestamp",
        "ring store producer id",
        "ring store checksum",
        "ring store commit word",
        "meta release store tailPosition",
        "ring release store commit word",
        "ring store bytes",
        "ring release store frame length");

    /** One cleaning step of {@link FlowControl#tryAdvance()} that frees and zeroes a range. */
    public static final List<String> CLEAN = List.of(
        "meta CAS cleanerPid",
        "meta volatile store cleanPosition",
        "meta release store cleanCheckedPosition",
        "ring zero first half of bytes",
        "ring zero rest of bytes",
        "meta release store producerLimit",
        "meta release store cleanerPid");

    /** {@link LogUnblocker#unblock} of a claim with a header. */
    public static final List<String> UNBLOCK_WITH_HEADER = List.of("ring CAS commit word");

    /** {@link LogUnblocker#unblock} of header-less claimed space: per 32-byte slot, held, position, released. */
    public static List<String> unblockWithoutHeader(final int slots)
    {
        final List<String> stores = new ArrayList<>();
        for (int i = 0; i < slots; i++)
        {
            stores.add("ring CAS commit word");
            stores.add("ring store position");
            stores.add("ring release store commit word");
        }
        return Collections.unmodifiableList(stores);
    }

    private ProtocolStores()
    {
    }

    private static List<String> concat(final List<String> first, final String... more)
    {
        return concat(first, List.of(more));
    }

    private static List<String> concat(final List<String> first, final List<String> second)
    {
        final List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return Collections.unmodifiableList(all);
    }
}
