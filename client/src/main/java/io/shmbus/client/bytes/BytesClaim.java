package io.shmbus.client.bytes;

import io.shmbus.client.BufferClaim;
import io.shmbus.client.Publisher;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.PointerBytesStore;
import net.openhft.chronicle.bytes.WriteBytesMarshallable;
import org.agrona.MutableDirectBuffer;

import java.nio.BufferOverflowException;

/**
 * Writes a structured message with Chronicle Bytes straight into a claimed slot of the ring: it claims
 * {@code maxLength} bytes from a {@link Publisher} (a {@code Producer} or an {@code ExclusiveProducer}), points a
 * reusable Chronicle {@link Bytes} view at the claim, lets the message write its fields there, and commits. No
 * intermediate buffer, no copy, no allocation once warm.
 * <p>
 * The claim protocol publishes a frame of the length it was claimed with, so the message's payload is always
 * {@code maxLength} bytes: a message that writes fewer leaves the rest zero (a reader stops where its fields end;
 * frames are 32-byte aligned, so a bound within the alignment slack of the real length costs no ring space). A
 * message that writes more gets a {@link MessageTooLongException} and its claim is aborted: consumers skip it,
 * nothing of it is published. Any other exception from the message aborts the claim too and is rethrown.
 * <p>
 * One per thread: not thread-safe. Constructing one checks the JVM options Chronicle needs
 * ({@link ChronicleJvmRequirements}).
 */
public final class BytesClaim
{
    private final BufferClaim claim = new BufferClaim();
    private final PointerBytesStore store;
    private final Bytes<Void> bytes;
    private int writtenLength;

    public BytesClaim()
    {
        ChronicleJvmRequirements.check(); // before the first Chronicle class initialises
        store = new PointerBytesStore();
        bytes = store.bytesForWrite();
        bytes.singleThreadedCheckDisabled(true); // owned by whichever thread uses this claim, one at a time
    }

    /**
     * Claims {@code maxLength} bytes, writes {@code message} into them in place and commits.
     *
     * @param publisher  to publish with.
     * @param maxLength  payload length claimed: at least what the message writes.
     * @param message    writes its fields into the {@link Bytes} it is given, from position 0.
     * @return the stream position after the message, or the negative code of
     * {@link Publisher#tryClaim(int, BufferClaim)} (nothing was written then: retry as with any claim).
     * @throws MessageTooLongException if the message writes more than {@code maxLength} bytes.
     */
    public long tryWrite(final Publisher publisher, final int maxLength, final WriteBytesMarshallable message)
    {
        final long result = publisher.tryClaim(maxLength, claim);
        if (result > 0)
        {
            final MutableDirectBuffer buffer = claim.buffer();
            final int offset = claim.offset();
            store.set(buffer.addressOffset() + offset, maxLength);
            bytes.clear(); // write position 0, write limit the store's capacity: maxLength
            try
            {
                message.writeMarshallable(bytes);
            }
            catch (final BufferOverflowException ex)
            {
                claim.abort();
                throw new MessageTooLongException("message longer than the " + maxLength + " bytes claimed for it " +
                    "on topic '" + publisher.topic() + "': nothing was published (the claim became padding)", ex);
            }
            catch (final RuntimeException | Error ex)
            {
                claim.abort();
                throw ex;
            }
            // The rest of the bound already reads as zeros: the ring is zeroed ahead of every claim.
            writtenLength = (int)bytes.writePosition();
            claim.commit();
        }
        return result;
    }

    /** Bytes the last message written by {@link #tryWrite} took, at most its {@code maxLength}. */
    public int writtenLength()
    {
        return writtenLength;
    }
}
