package dev.keel.httpapi.startup;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on {@code <data-root>/keeld.lock} held for the daemon's lifetime, so two
 * daemons never share a journal. The file holds the owner's pid for the refusal message. The
 * kernel drops the lock when the process dies, so a crash leaves nothing to clean.
 */
public final class DataRootLock implements AutoCloseable {

    public static final String FILE_NAME = "keeld.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DataRootLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** The data root is locked by another live keeld. */
    public static final class InUse extends Exception {
        public InUse(String message) {
            super(message);
        }
    }

    /**
     * Takes the lock without waiting and records {@code pid} in the file.
     *
     * @throws InUse if another process holds it
     */
    public static DataRootLock acquire(Path dataRoot, long pid) throws IOException, InUse {
        Path file = dataRoot.resolve(FILE_NAME);
        FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException heldByThisJvm) {
                lock = null;
            }
            if (lock == null) {
                String owner = readOwner(channel);
                channel.close();
                throw new InUse("data root " + dataRoot + " is in use by another keeld (pid " + owner
                        + "); stop it or choose another --data-root");
            }
            channel.truncate(0);
            channel.write(ByteBuffer.wrap((pid + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
            channel.force(false);
            return new DataRootLock(channel, lock);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    private static String readOwner(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(32);
        channel.read(buffer, 0);
        String owner = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).strip();
        return owner.isEmpty() ? "unknown" : owner;
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            channel.close();
        }
    }
}
