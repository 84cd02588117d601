package io.shmbus.client.remote;

import io.shmbus.client.ConfigurationException;
import io.shmbus.client.ConsumerNames;
import io.shmbus.client.StartPosition;
import io.shmbus.client.TopicNames;
import io.shmbus.client.log.FrameDescriptor;

import java.nio.charset.StandardCharsets;

/**
 * The checks of {@link RemoteConsumer.Context#conclude()}: each names the setting, its value and what is accepted.
 * Stateless.
 */
final class RemoteContextValidator
{
    private RemoteContextValidator()
    {
    }

    /** @throws ConfigurationException at the first invalid setting. */
    static void validate(final RemoteConsumer.Context ctx)
    {
        TopicNames.validate(ctx.topic()); // the broker refuses any other name with MALFORMED_REQUEST
        if (null != ctx.consumerName())
        {
            ConsumerNames.validate(ctx.consumerName());
        }
        if (null == ctx.host() || ctx.host().isEmpty())
        {
            throw new ConfigurationException("host must be set");
        }
        checkPort(ctx.port());
        checkRange(ctx.start(), ctx.endPosition());
        final String token = ctx.token();
        if (null != token && token.getBytes(StandardCharsets.UTF_8).length > RemoteProtocol.MAX_TOKEN_LENGTH)
        {
            throw new ConfigurationException("token must be at most " + RemoteProtocol.MAX_TOKEN_LENGTH + " bytes");
        }
        checkTimeouts(ctx);
        if (null == ctx.errorHandler())
        {
            throw new ConfigurationException("error handler must be set");
        }
    }

    private static void checkPort(final int port)
    {
        if (port < 1 || port > 65535)
        {
            throw new ConfigurationException("port must be in [1, 65535]: " + port);
        }
    }

    private static void checkRange(final StartPosition start, final long endPosition)
    {
        if (null == start)
        {
            throw new ConfigurationException("start must be set");
        }
        if (endPosition < RemoteProtocol.END_LIVE ||
            (endPosition >= 0 && (endPosition & (FrameDescriptor.FRAME_ALIGNMENT - 1)) != 0))
        {
            throw new ConfigurationException("end position must be -1 (live) or a frame boundary (a multiple " +
                "of " + FrameDescriptor.FRAME_ALIGNMENT + "): " + endPosition);
        }
        if (endPosition >= 0 && !start.isEarliest() && !start.isLatest() && !start.isTime() &&
            endPosition <= start.position())
        {
            throw new ConfigurationException("end position " + endPosition + " must be after the start " +
                start.position());
        }
    }

    private static void checkTimeouts(final RemoteConsumer.Context ctx)
    {
        if (ctx.livenessTimeoutMs() <= 0 || ctx.connectTimeoutMs() <= 0 || ctx.reconnectBackoffMs() <= 0 ||
            ctx.reconnectBackoffMaxMs() < ctx.reconnectBackoffMs())
        {
            throw new ConfigurationException("timeouts and backoff must be > 0 ms and the max backoff at " +
                "least the first: liveness " + ctx.livenessTimeoutMs() + ", connect " + ctx.connectTimeoutMs() +
                ", backoff " + ctx.reconnectBackoffMs() + ".." + ctx.reconnectBackoffMaxMs());
        }
    }
}
