package io.shmbus.soak;

/**
 * The kinds of process the soak runs and kills.
 */
enum Role
{
    BROKER("broker"),
    PRODUCER("producer"),
    CONSUMER("local consumer"),
    REMOTE("remote consumer");

    final String label;

    Role(final String label)
    {
        this.label = label;
    }
}
