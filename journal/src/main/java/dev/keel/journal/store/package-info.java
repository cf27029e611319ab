/**
 * The embedded journal on RocksDB: one database per directory per actor system, written by a single
 * group-commit agent ({@link dev.keel.journal.store.JournalWriter}, thread {@code journal-writer}).
 *
 * <p>Layout. Integers are big-endian so keys sort numerically; {@code str} is a 2-byte length followed by UTF-8.
 * <ul>
 *   <li>{@code events}: key {@code offset:8} (global offset, 1, 2, 3, ... gap-free in commit order), value an
 *       {@link dev.keel.journal.store.EventRecord} (CRC32C first, then pid, seqNr, timestamp, writer uuid,
 *       adapter manifest, serializer id + manifest, tags, payload).</li>
 *   <li>{@code by-pid}: key {@code str(pid) seqNr:8}, value {@code offset:8 crc:4 record} (crc over key + offset;
 *       the record is a copy of the {@code events} value so that replay and eventsByPersistenceId are one scan,
 *       at the price of storing each event twice).</li>
 *   <li>{@code by-tag}: key {@code str(tag) offset:8}, value {@code crc:4} of the key: eventsByTag.</li>
 *   <li>{@code pid-meta}: key {@code pid} (UTF-8), value {@link dev.keel.journal.store.PidMetadata}
 *       (logically deleted-to, ordinal, CRC32C), written on an id's first write and on deletes; the highest
 *       seqNr is the id's last {@code by-pid} key, so an append writes two entries per event (plus one per tag).</li>
 *   <li>{@code pids}: key {@code ordinal:8} (1, 2, 3, ... in order of first write), value {@code pid crc:4}: persistenceIds.</li>
 *   <li>{@code snapshots}: key {@code str(pid) seqNr:8}, value a snapshot record (see {@code dev.keel.journal.snapshot}).</li>
 * </ul>
 *
 * <p>Nothing is kept beside the data: on open the next offset is the last {@code events} key + 1 and the next
 * ordinal the last {@code pids} key + 1, and every index and metadata entry is written in the same synced
 * {@code WriteBatch} as its events, so a crash can only lose whole unacknowledged batches.
 * Deletion is logical: {@code pid-meta} carries a deleted-to marker; events stay in the global history.
 */
package dev.keel.journal.store;
