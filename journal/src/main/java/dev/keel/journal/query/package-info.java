/**
 * The read journal ({@code keel.journal.embedded.query}, {@link dev.keel.journal.query.EmbeddedReadJournal#IDENTIFIER}).
 *
 * <p>All queries read RocksDB in chunks up to the writer's committed watermark, so a consumer far behind catches up
 * chunk by chunk and then goes live without missing or repeating anything; live queries wait on the writer's
 * {@link dev.keel.journal.store.CommitNotifier} (no polling). Backpressure: a chunk is read only when the
 * downstream has pulled everything already read.
 *
 * <p>Offsets are {@code Sequence(global offset)}; a query given {@code Sequence(n)} starts after n.
 * The all-events stream is {@code allEvents(offset)} / {@code currentAllEvents(offset)}.
 * eventsByPersistenceId honours the deleted-to marker like replay does; allEvents and eventsByTag are the history
 * and keep logically deleted events.
 */
package dev.keel.journal.query;
