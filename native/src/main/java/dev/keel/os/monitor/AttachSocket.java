package dev.keel.os.monitor;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Optional;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;
import org.newsclub.net.unix.AFSocketType;
import org.newsclub.net.unix.ConnectionResetSocketException;
import org.newsclub.net.unix.AFUNIXDatagramSocket;
import org.newsclub.net.unix.AFUNIXSocketAddress;
import org.newsclub.net.unix.FileDescriptorCast;

/**
 * One client connection to the monitor's attach socket ({@code <socketDir>/<session>/attach}, {@code SOCK_SEQPACKET}).
 * All calls block, so they belong on a thread of their own, never on an actor's or a stream's.
 *
 * <p>The monitor copies every chunk of the container's output to every connected client as one packet
 * {@code [stream byte][payload]} and stalls while any client does not read, so a connection must be read until
 * {@link #read()} reports the end, or closed. Bytes {@link #write written} go to the container's stdin (only when
 * the monitor runs with {@code -i} or {@code -t}). The end of a connection's input ({@link #endInput}, or closing it)
 * closes the container's stdin (unless the monitor runs with {@code --leave-stdin-open}).
 *
 * <p>End the input before closing: conmon (2.1.x) frees a client whose write side failed and then reads that client's
 * flags again when it also sees the end of its input, so a client that closes while output is still coming may leave
 * the container's stdin open (the stdin close is skipped, seen about every second time with {@code cat} and a few
 * megabytes; a conmon started by an older daemon may still be the monitor). Ending the input first lets it see the
 * end while it can still write to the client.
 */
public final class AttachSocket implements AutoCloseable {

    /** The largest packet the monitor sends: one stream byte and one pipe read of at most 8192 bytes. */
    public static final int MAX_OUTPUT_PACKET_BYTES = 8193;
    /** The largest packet every conmon reads whole from a client (newer ones read one byte less than their buffer). */
    public static final int MAX_INPUT_PACKET_BYTES = 32767;

    /** libc's shutdown(2), which junixsocket's datagram API does not offer. */
    public interface SocketCalls {
        int shutdown(int fd, int how);

        String strerror(int errnum);
    }

    private static final SocketCalls LIBC = LibraryLoader.create(SocketCalls.class).load("c");
    private static final int SHUT_WR = 1;

    private static final byte STDOUT = 2;
    private static final byte STDERR = 3;

    /** One packet of output. */
    public record Packet(LogStream stream, byte[] bytes) {}

    private final AFUNIXDatagramSocket socket;
    private final ByteBuffer received = ByteBuffer.allocate(MAX_OUTPUT_PACKET_BYTES);

    private AttachSocket(AFUNIXDatagramSocket socket) {
        this.socket = socket;
    }

    /** Where the monitor listens for session {@code session} (a container id or an exec session id). */
    public static Path path(Path socketDir, String session) {
        return socketDir.resolve(ContainerMonitor.attachName(session)).resolve("attach");
    }

    /**
     * @throws java.net.SocketException when nobody listens there (the monitor is gone) or the socket does not exist
     */
    public static AttachSocket connect(Path socket) throws IOException {
        AFUNIXDatagramSocket s = AFUNIXDatagramSocket.newInstance(AFSocketType.SOCK_SEQPACKET);
        try {
            s.connect(AFUNIXSocketAddress.of(new File(socket.toString())));
            return new AttachSocket(s);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /**
     * Waits for the next packet of output; empty once the container's stdio is closed and the monitor hung up (or
     * died), or this connection was closed.
     */
    public Optional<Packet> read() throws IOException {
        while (true) {
            received.clear();
            int n;
            try {
                n = socket.getChannel().read(received);
            } catch (ConnectionResetSocketException e) {
                // The monitor was killed (or its runtime create failed) with output still queued for us.
                return Optional.empty();
            } catch (IOException e) {
                if (socket.isClosed()) {
                    return Optional.empty();
                }
                throw e;
            }
            if (n <= 0) {
                return Optional.empty();
            }
            byte stream = received.get(0);
            // Stream 1 (stdin) is defined by conmon's protocol but never sent; anything else is not output either.
            if (n > 1 && (stream == STDOUT || stream == STDERR)) {
                byte[] payload = new byte[n - 1];
                received.position(1);
                received.get(payload, 0, n - 1);
                return Optional.of(new Packet(stream == STDOUT ? LogStream.STDOUT : LogStream.STDERR, payload));
            }
        }
    }

    /** Sends {@code bytes} to the container's stdin, in packets the monitor reads whole. */
    public void write(ByteBuffer bytes) throws IOException {
        while (bytes.hasRemaining()) {
            ByteBuffer packet = bytes.slice();
            packet.limit(Math.min(packet.remaining(), MAX_INPUT_PACKET_BYTES));
            int n = socket.getChannel().write(packet);
            bytes.position(bytes.position() + n);
        }
    }

    /**
     * Half-closes: the monitor reads the end of this client's input and closes the container's stdin, and goes on
     * sending output here until the container's stdio closes.
     */
    public void endInput() throws IOException {
        int fd = FileDescriptorCast.using(socket.getFileDescriptor()).as(Integer.class);
        if (LIBC.shutdown(fd, SHUT_WR) != 0) {
            int errno = Runtime.getRuntime(LIBC).getLastError();
            throw new IOException("shutdown of the attach connection failed: " + LIBC.strerror(errno));
        }
    }

    /** Hangs up, ending the input first (see the class comment). */
    @Override
    public void close() {
        if (!socket.isClosed()) {
            try {
                endInput();
            } catch (IOException e) {
                // Already ended, or the monitor is gone: closing is all that is left.
            }
        }
        socket.close();
    }
}
