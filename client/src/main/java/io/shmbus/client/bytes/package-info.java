/**
 * Structured messages with Chronicle Bytes, written straight into a claimed slot of the ring and read in place.
 * <p>
 * Chronicle Bytes ({@code net.openhft:chronicle-bytes}) is an optional dependency of the client: add it to your
 * own build to use this package. Nothing outside this package refers to Chronicle, so a client without it needs
 * neither the jar nor its JVM options ({@link io.shmbus.client.bytes.ChronicleJvmRequirements}).
 * <ul>
 *     <li>{@link io.shmbus.client.bytes.BytesClaim} claims up to a bound, lets a
 *     {@link net.openhft.chronicle.bytes.WriteBytesMarshallable} write its fields in place, then commits.</li>
 *     <li>{@link io.shmbus.client.bytes.BytesFragmentAdapter} hands each message to a
 *     {@link io.shmbus.client.bytes.BytesFragmentHandler} as a reusable Chronicle view over the payload.</li>
 * </ul>
 * Neither allocates once warm.
 */
package io.shmbus.client.bytes;
