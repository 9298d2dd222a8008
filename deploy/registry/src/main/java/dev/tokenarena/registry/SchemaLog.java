package dev.tokenarena.registry;

/**
 * The durable, ordered log behind the registry. {@link #append} returns only once the record is
 * acknowledged by the log and has been applied to the {@link SchemaState} by the reader, so an
 * answer to a client is never ahead of what a restarted server would know.
 */
interface SchemaLog extends AutoCloseable {

    /**
     * Writes one record ({@code value == null} is a tombstone) and waits until it is applied.
     *
     * @throws RegistryError 50001 when the log does not acknowledge or apply it in time
     */
    void append(byte[] key, byte[] value);

    @Override
    void close();
}
