package io.shmbus.broker.cli;

import io.shmbus.client.BrokerUnavailableException;
import io.shmbus.client.LogVersionMismatchException;
import io.shmbus.client.ShmBus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A command that waits for its broker takes a CnC file that is not one yet (a broker creating it) for "not ready",
 * for a grace only: a file that stays wrong is the mismatch it says.
 */
@Timeout(30)
class BrokerConnectorTest
{
    @Test
    void noBrokerIsNotReady()
    {
        final BrokerConnector connector = new BrokerConnector(() ->
        {
            throw new BrokerUnavailableException("no broker is running on /x");
        });
        assertNull(connector.tryConnect());
        assertEquals("no broker is running on /x", connector.lastReason());
    }

    @Test
    void aCncFileBeingCreatedIsNotReadyForTheGraceThenAMismatch() throws InterruptedException
    {
        final AtomicInteger calls = new AtomicInteger();
        final Supplier<ShmBus> starting = () ->
        {
            calls.incrementAndGet();
            throw new LogVersionMismatchException("/x/cnc.dat is not a shmbus command-and-control file");
        };
        final BrokerConnector connector = new BrokerConnector(starting, 200_000_000L);
        assertNull(connector.tryConnect());
        assertTrue(connector.lastReason().contains("is not a shmbus command-and-control file"));
        assertNull(connector.tryConnect(), "still within the grace");
        Thread.sleep(300);
        assertThrows(LogVersionMismatchException.class, connector::tryConnect);
        assertEquals(3, calls.get());
    }

    @Test
    void aBrokerInBetweenStartsTheGraceAgain() throws InterruptedException
    {
        final AtomicInteger calls = new AtomicInteger();
        final BrokerConnector connector = new BrokerConnector(() ->
        {
            if (1 == calls.incrementAndGet() % 2)
            {
                throw new LogVersionMismatchException("/x/cnc.dat is not a shmbus command-and-control file");
            }
            throw new BrokerUnavailableException("no broker is running on /x");
        }, 200_000_000L);
        for (int i = 0; i < 6; i++)
        {
            assertNull(connector.tryConnect());
            Thread.sleep(100);
        }
    }
}
