package io.shmbus.broker.config;

/** How the broker writes its log lines: plain text for people, or one JSON object a line for log shippers. */
public enum LogFormat
{
    TEXT,
    JSON
}
