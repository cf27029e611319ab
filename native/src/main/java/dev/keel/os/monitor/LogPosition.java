package dev.keel.os.monitor;

/**
 * Where a follower of a {@link RotatingLog} is: a byte offset in one file, named by its file key (device and inode)
 * because a rotation renames the file under the reader.
 *
 * @param fileKey the file's {@link java.nio.file.attribute.BasicFileAttributes#fileKey()}; null before the first read
 */
public record LogPosition(Object fileKey, long offset) {

    /** Before the oldest kept line. */
    public static final LogPosition START = new LogPosition(null, 0);
}
