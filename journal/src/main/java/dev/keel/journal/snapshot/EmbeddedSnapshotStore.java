package dev.keel.journal.snapshot;

import com.typesafe.config.Config;
import dev.keel.journal.store.EmbeddedStorage;
import dev.keel.journal.store.JournalStore;
import dev.keel.journal.store.StoreKeys;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.dispatch.Futures;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.snapshot.japi.SnapshotStore;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteOptions;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;

/**
 * The snapshot store plugin. Saves are synced puts; loads scan one persistence id's snapshots newest first and
 * return the first matching the criteria. Work runs on the plugin dispatcher, never on the actor.
 */
public final class EmbeddedSnapshotStore extends SnapshotStore {

    private final JournalStore store;
    private final Serialization serialization;
    private final ExecutionContext executor;
    private final WriteOptions syncWrite;

    public EmbeddedSnapshotStore(Config config, String configPath) {
        this.store = EmbeddedStorage.get(context().system()).forPlugin(configPath).store();
        this.serialization = SerializationExtension.get(context().system());
        this.executor = context().dispatcher();
        this.syncWrite = new WriteOptions().setSync(true);
    }

    @Override
    public Future<Optional<SelectedSnapshot>> doLoadAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
        return Futures.future(() -> load(persistenceId, criteria), executor);
    }

    @Override
    public Future<Void> doSaveAsync(SnapshotMetadata metadata, Object snapshot) {
        return Futures.future(() -> {
            Serializer serializer = serialization.findSerializerFor(snapshot);
            SnapshotRecord record = new SnapshotRecord(metadata.timestamp(), serializer.identifier(),
                Serializers.manifestFor(serializer, snapshot), serializer.toBinary(snapshot));
            try {
                store.rocks().put(store.snapshots(), syncWrite, key(metadata.persistenceId(), metadata.sequenceNr()),
                    record.encode());
            } catch (RocksDBException e) {
                throw store.failure("snapshot save", e);
            }
            return null;
        }, executor);
    }

    @Override
    public Future<Void> doDeleteAsync(SnapshotMetadata metadata) {
        return Futures.future(() -> {
            delete(List.of(key(metadata.persistenceId(), metadata.sequenceNr())));
            return null;
        }, executor);
    }

    @Override
    public Future<Void> doDeleteAsync(String persistenceId, SnapshotSelectionCriteria criteria) {
        return Futures.future(() -> {
            List<byte[]> keys = new ArrayList<>();
            byte[] pid = StoreKeys.utf8(persistenceId);
            byte[] first = key(persistenceId, criteria.minSequenceNr());
            try (RocksIterator it = store.rocks().newIterator(store.snapshots())) {
                for (it.seek(first); it.isValid(); it.next()) {
                    byte[] k = it.key();
                    long seqNr = StoreKeys.trailingNumber(k);
                    if (!StoreKeys.sameName(k, first) || seqNr > criteria.maxSequenceNr()) {
                        break;
                    }
                    SnapshotRecord record = SnapshotRecord.decode(it.value(), where(pid, seqNr));
                    if (matches(record, seqNr, criteria)) {
                        keys.add(k);
                    }
                }
                status(it);
            }
            delete(keys);
            return null;
        }, executor);
    }

    private Optional<SelectedSnapshot> load(String persistenceId, SnapshotSelectionCriteria criteria) {
        byte[] pid = StoreKeys.utf8(persistenceId);
        byte[] last = key(persistenceId, criteria.maxSequenceNr());
        try (RocksIterator it = store.rocks().newIterator(store.snapshots())) {
            for (it.seekForPrev(last); it.isValid(); it.prev()) {
                byte[] k = it.key();
                long seqNr = StoreKeys.trailingNumber(k);
                if (!StoreKeys.sameName(k, last) || seqNr < criteria.minSequenceNr()) {
                    break;
                }
                SnapshotRecord record = SnapshotRecord.decode(it.value(), where(pid, seqNr));
                if (matches(record, seqNr, criteria)) {
                    Object snapshot = serialization.deserialize(record.payload(), record.serializerId(),
                        record.serializerManifest()).get();
                    return Optional.of(SelectedSnapshot.create(
                        new SnapshotMetadata(persistenceId, seqNr, record.timestampMillis()), snapshot));
                }
            }
            status(it);
        }
        return Optional.empty();
    }

    private static boolean matches(SnapshotRecord record, long seqNr, SnapshotSelectionCriteria criteria) {
        return seqNr >= criteria.minSequenceNr() && seqNr <= criteria.maxSequenceNr()
            && record.timestampMillis() >= criteria.minTimestamp() && record.timestampMillis() <= criteria.maxTimestamp();
    }

    private void delete(List<byte[]> keys) {
        try (org.rocksdb.WriteBatch batch = new org.rocksdb.WriteBatch()) {
            for (byte[] k : keys) {
                batch.delete(store.snapshots(), k);
            }
            store.rocks().write(syncWrite, batch);
        } catch (RocksDBException e) {
            throw store.failure("snapshot delete", e);
        }
    }

    private void status(RocksIterator it) {
        try {
            it.status();
        } catch (RocksDBException e) {
            throw store.failure("snapshot scan", e);
        }
    }

    private static byte[] key(String persistenceId, long seqNr) {
        return StoreKeys.nameNumberKey(StoreKeys.utf8(persistenceId), seqNr);
    }

    private String where(byte[] pid, long seqNr) {
        return store.where("snapshots", "pid " + new String(pid, java.nio.charset.StandardCharsets.UTF_8) + " seqNr " + seqNr);
    }

    @Override
    public void postStop() {
        syncWrite.close();
    }
}
