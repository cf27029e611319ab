/**
 * The snapshot store plugin ({@code keel.journal.embedded.snapshot}) in the {@code snapshots} column family of the
 * embedded journal. Key {@code str(pid) seqNr:8}; value {@code crc32c:4 timestamp:8 serializerId:4 str(manifest)
 * payload}. Snapshots are not history, so deleting one removes it.
 */
package dev.keel.journal.snapshot;
