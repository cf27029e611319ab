/**
 * Pekko Persistence plugins: the embedded RocksDB journal, snapshot store and read journal; Kryo serialization of the domain.
 */
package dev.keel.journal;
