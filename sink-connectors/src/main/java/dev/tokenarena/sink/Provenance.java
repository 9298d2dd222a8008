package dev.tokenarena.sink;

/**
 * Where a snapshot file came from, written beside the data so a published file can be traced
 * back to the scoring config, the schema and the Kafka record.
 *
 * @param schemaId registry id of the writer schema
 * @param registryUrl registry base URL without credentials
 * @param license licence line of published snapshots
 * @param sourceTopic topic the snapshot was read from
 * @param partition partition it was read from
 * @param offset offset it was read from
 */
record Provenance(int schemaId, String registryUrl, String license, String sourceTopic, int partition, long offset) {
}
