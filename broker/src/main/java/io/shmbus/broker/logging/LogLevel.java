package io.shmbus.broker.logging;

/** How much a broker log line matters: what happened, what needs a look, what went wrong. */
public enum LogLevel
{
    INFO,
    WARN,
    ERROR
}
