package dev.keel.netplane.dns;

import dev.keel.netplane.NetplaneSettings;
import dev.keel.netplane.ipam.IpAddress;
import dev.keel.os.netns.NetNamespace;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.Channel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.OPTRecord;
import org.xbill.DNS.Opcode;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * Docker's embedded DNS: a resolver at 127.0.0.11:53 (UDP and TCP) inside each container on a user-defined network.
 * It answers A, AAAA and PTR queries for the names of the container's {@link NameTable} and forwards everything else
 * to the host's resolvers, answering SERVFAIL when none of them does.
 *
 * <p>One thread ("keel-dns") serves every container: each sandbox's sockets are opened inside its network namespace
 * (and stay there) and are then watched by this thread's selector. Only that thread touches the selector and the
 * sockets; {@link #attach} and {@link #detach} hand it work and wait for it. Forwarding is dnsjava's asynchronous
 * resolver, from the host's namespace, so that even a resolver on the host's loopback is reachable; its answers come
 * back to this thread to be sent.
 */
public final class EmbeddedDns implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(EmbeddedDns.class.getName());
    private static final long TTL_SECONDS = 600;
    private static final int CLASSIC_UDP_SIZE = 512;
    private static final int MAX_MESSAGE = 65535;
    private static final int DATAGRAM_BATCH = 64;
    private static final InetSocketAddress LISTEN =
            new InetSocketAddress(IpAddress.parseOrNull(SandboxFiles.EMBEDDED_DNS_ADDRESS).toInetAddress(), 53);
    /** Runs dnsjava's completions on its own I/O thread; they only hand the answer over to ours. */
    private static final Executor DIRECT = Runnable::run;

    private final Duration forwardTimeout;
    private final List<SimpleResolver> upstreams;
    private final Selector selector;
    private final Thread thread;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Map<String, Sandbox> sandboxes = new ConcurrentHashMap<>();
    private final ByteBuffer datagram = ByteBuffer.allocateDirect(MAX_MESSAGE);
    private volatile boolean running = true;

    /**
     * @param upstreams the resolvers other names are forwarded to, tried in order
     * @param forwardTimeout how long each upstream is waited for
     */
    public EmbeddedDns(List<InetSocketAddress> upstreams, Duration forwardTimeout) throws IOException {
        this.forwardTimeout = forwardTimeout;
        this.upstreams = resolvers(upstreams);
        this.selector = Selector.open();
        this.thread = new Thread(this::run, "keel-dns");
        thread.setDaemon(true);
        thread.start();
    }

    /** Forwards to the nameservers of {@code settings.hostResolvConf()}. */
    public static EmbeddedDns fromSettings(NetplaneSettings settings) throws IOException {
        String content = Files.exists(settings.hostResolvConf()) ? Files.readString(settings.hostResolvConf()) : "";
        List<InetSocketAddress> upstreams = SandboxFiles.upstreamNameservers(content).stream()
                .map(IpAddress::parseOrNull)
                .filter(Objects::nonNull)
                .map(address -> new InetSocketAddress(address.toInetAddress(), 53))
                .toList();
        return new EmbeddedDns(upstreams, settings.dnsForwardTimeout());
    }

    /**
     * Starts answering at 127.0.0.11:53 inside {@code netns}, whose {@code lo} must be up, forwarding to this
     * instance's upstreams. Attaching an attached sandbox again changes nothing. Detach before deleting the
     * namespace: the sockets keep it alive.
     */
    public void attach(String sandboxId, Path netns, NameTable names) throws IOException {
        attach(sandboxId, netns, names, List.of());
    }

    /**
     * As {@link #attach(String, Path, NameTable)}, forwarding to {@code upstreams} instead when not empty: a
     * container's {@code --dns} servers, which dockerd's resolver uses in place of the host's.
     */
    public synchronized void attach(String sandboxId, Path netns, NameTable names, List<InetSocketAddress> upstreams)
            throws IOException {
        if (!running) {
            throw new IOException("the embedded DNS is closed");
        }
        if (sandboxes.containsKey(sandboxId)) {
            return;
        }
        List<SimpleResolver> forwardTo = upstreams.isEmpty() ? this.upstreams : resolvers(upstreams);
        Sandbox sandbox = NetNamespace.inside(netns, () -> open(sandboxId, names, forwardTo));
        try {
            onLoop(() -> {
                sandbox.udp.register(selector, SelectionKey.OP_READ, new UdpListener(sandbox));
                sandbox.tcp.register(selector, SelectionKey.OP_ACCEPT, new TcpListener(sandbox));
                return null;
            });
        } catch (IOException | RuntimeException e) {
            sandbox.udp.close();
            sandbox.tcp.close();
            throw e;
        }
        sandboxes.put(sandboxId, sandbox);
    }

    /** Stops answering in that sandbox and closes its sockets; an unknown sandbox is ignored. */
    public synchronized void detach(String sandboxId) throws IOException {
        Sandbox sandbox = sandboxes.remove(sandboxId);
        if (sandbox != null) {
            onLoop(() -> {
                closeSockets(sandbox);
                // Deregisters the closed channels now, which is when their file descriptors are really released.
                selector.selectNow(this::onReady);
                return null;
            });
        }
    }

    /** Closes every sandbox's sockets and stops the thread. */
    @Override
    public synchronized void close() throws IOException {
        running = false;
        selector.wakeup();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private List<SimpleResolver> resolvers(List<InetSocketAddress> addresses) {
        return addresses.stream().map(address -> {
            SimpleResolver resolver = new SimpleResolver(address);
            resolver.setTimeout(forwardTimeout);
            // Forward the client's query as it is: no EDNS record of our own.
            resolver.setEDNS((OPTRecord) null);
            return resolver;
        }).toList();
    }

    private static Sandbox open(String id, NameTable names, List<SimpleResolver> upstreams) throws IOException {
        DatagramChannel udp = DatagramChannel.open(StandardProtocolFamily.INET);
        ServerSocketChannel tcp = ServerSocketChannel.open(StandardProtocolFamily.INET);
        try {
            udp.bind(LISTEN).configureBlocking(false);
            tcp.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            tcp.bind(LISTEN).configureBlocking(false);
        } catch (IOException e) {
            udp.close();
            tcp.close();
            throw e;
        }
        return new Sandbox(id, names, upstreams, udp, tcp, new HashSet<>());
    }

    private void run() {
        while (running) {
            try {
                selector.select(this::onReady);
                for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
                    task.run();
                }
            } catch (IOException | RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "embedded DNS loop", e);
            }
        }
        for (Sandbox sandbox : sandboxes.values()) {
            closeSockets(sandbox);
        }
        sandboxes.clear();
        try {
            selector.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "closing the embedded DNS selector", e);
        }
    }

    private <T> T onLoop(Callable<T> work) throws IOException {
        CompletableFuture<T> result = new CompletableFuture<>();
        tasks.add(() -> {
            try {
                result.complete(work.call());
            } catch (Exception e) {
                result.completeExceptionally(e);
            }
        });
        selector.wakeup();
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the DNS thread", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException(e.getCause().getMessage(), e.getCause());
        }
    }

    private void onReady(SelectionKey key) {
        try {
            Object attachment = key.attachment();
            if (attachment instanceof UdpListener listener) {
                receiveDatagrams(listener.sandbox);
            } else if (attachment instanceof TcpListener listener) {
                accept(listener.sandbox);
            } else if (attachment instanceof TcpConnection connection) {
                if (key.isValid() && key.isWritable()) {
                    connection.flush();
                }
                if (key.isValid() && key.isReadable()) {
                    connection.read();
                }
            }
        } catch (IOException e) {
            if (key.attachment() instanceof TcpConnection connection) {
                connection.close();
            } else {
                LOG.log(System.Logger.Level.DEBUG, "embedded DNS socket", e);
            }
        }
    }

    /** At most a batch per wake-up, so that one busy container cannot starve the others. */
    private void receiveDatagrams(Sandbox sandbox) throws IOException {
        for (int i = 0; i < DATAGRAM_BATCH; i++) {
            datagram.clear();
            SocketAddress client = sandbox.udp.receive(datagram);
            if (client == null) {
                return;
            }
            datagram.flip();
            byte[] wire = new byte[datagram.remaining()];
            datagram.get(wire);
            Message query = parse(wire);
            if (query != null) {
                answer(sandbox, query, response -> sendDatagram(sandbox, client, query, response));
            }
        }
    }

    private static void sendDatagram(Sandbox sandbox, SocketAddress client, Message query, Message response) {
        OPTRecord opt = query.getOPT();
        int limit = opt == null ? CLASSIC_UDP_SIZE : Math.max(CLASSIC_UDP_SIZE, opt.getPayloadSize());
        try {
            sandbox.udp.send(ByteBuffer.wrap(response.toWire(limit)), client);
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "answering over UDP in " + sandbox.id, e);
        }
    }

    private void accept(Sandbox sandbox) throws IOException {
        for (SocketChannel channel = sandbox.tcp.accept(); channel != null; channel = sandbox.tcp.accept()) {
            channel.configureBlocking(false);
            TcpConnection connection = new TcpConnection(sandbox, channel);
            connection.key = channel.register(selector, SelectionKey.OP_READ, connection);
            sandbox.connections.add(connection);
        }
    }

    /** Replies at once for our names; otherwise forwards and replies from this thread when the upstream answers. */
    private void answer(Sandbox sandbox, Message query, Reply reply) {
        Message local;
        try {
            local = answerLocally(sandbox.names, query);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "name table of " + sandbox.id + " failed", e);
            local = reply(query, Rcode.SERVFAIL);
        }
        if (local != null) {
            reply.send(local);
            return;
        }
        forward(sandbox.upstreams, query.clone(), 0).thenAccept(response -> {
            response.getHeader().setID(query.getHeader().getID());
            tasks.add(() -> reply.send(response));
            selector.wakeup();
        });
    }

    private static Message answerLocally(NameTable names, Message query) {
        Record question = query.getQuestion();
        if (question == null || query.getHeader().getOpcode() != Opcode.QUERY) {
            return reply(query, Rcode.FORMERR);
        }
        int type = question.getType();
        if (question.getDClass() != DClass.IN) {
            return null;
        }
        if (type == Type.A || type == Type.AAAA) {
            List<InetAddress> addresses = names.lookup(question.getName().toString(true).toLowerCase(Locale.ROOT));
            if (addresses.isEmpty()) {
                return null;
            }
            Message response = reply(query, Rcode.NOERROR);
            for (InetAddress address : addresses) {
                if (type == Type.A && address instanceof Inet4Address) {
                    response.addRecord(new ARecord(question.getName(), DClass.IN, TTL_SECONDS, address),
                            Section.ANSWER);
                } else if (type == Type.AAAA && address instanceof Inet6Address) {
                    response.addRecord(new AAAARecord(question.getName(), DClass.IN, TTL_SECONDS, address),
                            Section.ANSWER);
                }
            }
            return response;
        }
        if (type == Type.PTR) {
            Optional<Name> target = reverse(names, question.getName());
            if (target.isEmpty()) {
                return null;
            }
            Message response = reply(query, Rcode.NOERROR);
            response.addRecord(new PTRRecord(question.getName(), DClass.IN, TTL_SECONDS, target.get()),
                    Section.ANSWER);
            return response;
        }
        return null;
    }

    private static Optional<Name> reverse(NameTable names, Name reverseName) {
        InetAddress address;
        try {
            address = ReverseMap.fromName(reverseName);
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty();
        }
        return names.reverse(address).flatMap(name -> {
            try {
                return Optional.of(Name.fromString(name.endsWith(".") ? name : name + "."));
            } catch (TextParseException e) {
                return Optional.empty();
            }
        });
    }

    private static CompletionStage<Message> forward(List<SimpleResolver> upstreams, Message query, int upstream) {
        if (upstream >= upstreams.size()) {
            return CompletableFuture.completedFuture(reply(query, Rcode.SERVFAIL));
        }
        return upstreams.get(upstream).sendAsync(query.clone(), DIRECT)
                .handle((response, failure) -> failure == null
                        ? CompletableFuture.completedFuture(response)
                        : forward(upstreams, query, upstream + 1))
                .thenCompose(next -> next);
    }

    private static Message reply(Message query, int rcode) {
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.RA);
        if (query.getHeader().getFlag(Flags.RD)) {
            response.getHeader().setFlag(Flags.RD);
        }
        response.getHeader().setOpcode(query.getHeader().getOpcode());
        response.getHeader().setRcode(rcode);
        if (query.getQuestion() != null) {
            response.addRecord(query.getQuestion(), Section.QUESTION);
        }
        return response;
    }

    private static Message parse(byte[] wire) {
        try {
            return new Message(wire);
        } catch (IOException e) {
            // Like dockerd, garbage gets no answer.
            return null;
        }
    }

    private static void closeSockets(Sandbox sandbox) {
        closeQuietly(sandbox.udp);
        closeQuietly(sandbox.tcp);
        for (TcpConnection connection : new ArrayList<>(sandbox.connections)) {
            connection.close();
        }
    }

    private static void closeQuietly(Channel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing a DNS socket", e);
        }
    }

    @FunctionalInterface
    private interface Reply {
        void send(Message response);
    }

    private record Sandbox(String id, NameTable names, List<SimpleResolver> upstreams, DatagramChannel udp,
                           ServerSocketChannel tcp,
                           Set<TcpConnection> connections) {}

    private record UdpListener(Sandbox sandbox) {}

    private record TcpListener(Sandbox sandbox) {}

    /** A client's TCP connection: length-prefixed messages in both directions, several per connection. */
    private final class TcpConnection {
        private final Sandbox sandbox;
        private final SocketChannel channel;
        private final ByteBuffer in = ByteBuffer.allocate(2 + MAX_MESSAGE);
        private final ArrayDeque<ByteBuffer> out = new ArrayDeque<>();
        private SelectionKey key;

        TcpConnection(Sandbox sandbox, SocketChannel channel) {
            this.sandbox = sandbox;
            this.channel = channel;
        }

        void read() throws IOException {
            if (channel.read(in) < 0) {
                close();
                return;
            }
            while (in.position() >= 2) {
                int length = in.getShort(0) & 0xffff;
                if (in.position() < 2 + length) {
                    return;
                }
                byte[] wire = new byte[length];
                in.flip();
                in.position(2);
                in.get(wire);
                in.compact();
                Message query = parse(wire);
                if (query == null) {
                    close();
                    return;
                }
                answer(sandbox, query, this::send);
            }
        }

        void send(Message response) {
            if (!channel.isOpen()) {
                return;
            }
            byte[] wire = response.toWire(MAX_MESSAGE);
            ByteBuffer framed = ByteBuffer.allocate(2 + wire.length);
            framed.putShort((short) wire.length).put(wire).flip();
            out.add(framed);
            try {
                flush();
            } catch (IOException e) {
                close();
            }
        }

        void flush() throws IOException {
            while (!out.isEmpty()) {
                channel.write(out.peek());
                if (out.peek().hasRemaining()) {
                    key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                    return;
                }
                out.poll();
            }
            key.interestOps(SelectionKey.OP_READ);
        }

        void close() {
            sandbox.connections.remove(this);
            closeQuietly(channel);
        }
    }
}
