package dev.keel.netplane.bridge;

import dev.keel.netplane.spi.NetworkFailure;
import dev.keel.netplane.spi.PortMapping;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Host ports held by sockets bound in this JVM for as long as they are published, as Docker's userland proxy holds
 * them: a port another program has is refused up front, nothing else takes ours meanwhile, and port 0 becomes the
 * kernel's choice of an ephemeral port. Traffic never reaches these sockets; the DNAT rules send it on first.
 *
 * @param bound the mappings with their real host ports
 */
record PortReservation(List<PortMapping> bound, List<NetworkChannel> sockets) implements AutoCloseable {

    PortReservation {
        bound = List.copyOf(bound);
        sockets = List.copyOf(sockets);
    }

    static final PortReservation NONE = new PortReservation(List.of(), List.of());

    /** Binds every port or none; a port in use fails with Docker's message. */
    static PortReservation reserve(List<PortMapping> ports) {
        List<PortMapping> bound = new ArrayList<>();
        List<NetworkChannel> sockets = new ArrayList<>();
        try {
            for (PortMapping port : ports) {
                NetworkChannel socket = bind(port);
                sockets.add(socket);
                int actual = ((InetSocketAddress) socket.getLocalAddress()).getPort();
                bound.add(port.withHostPort(actual));
            }
            return new PortReservation(bound, sockets);
        } catch (IOException | RuntimeException e) {
            new PortReservation(bound, sockets).close();
            if (e instanceof NetworkFailure failure) {
                throw failure;
            }
            throw new NetworkFailure(NetworkFailure.Kind.FAILED, "cannot reserve host ports: " + e.getMessage(), e);
        }
    }

    private static NetworkChannel bind(PortMapping port) throws IOException {
        String host = port.hostIp().isEmpty() ? "0.0.0.0" : port.hostIp();
        if (host.contains(":")) {
            throw new NetworkFailure(NetworkFailure.Kind.INVALID_ARGUMENT,
                    "publishing on an IPv6 host address is not supported: " + host);
        }
        if (port.hostPort() < 0 || port.hostPort() > 65535 || port.containerPort() < 1
                || port.containerPort() > 65535) {
            throw new NetworkFailure(NetworkFailure.Kind.INVALID_ARGUMENT, "invalid port mapping: " + port);
        }
        NetworkChannel socket = switch (port.protocol()) {
            case "tcp" -> ServerSocketChannel.open(StandardProtocolFamily.INET);
            case "udp" -> DatagramChannel.open(StandardProtocolFamily.INET);
            default -> throw new NetworkFailure(NetworkFailure.Kind.INVALID_ARGUMENT,
                    "publishing " + port.protocol() + " ports is not supported");
        };
        try {
            socket.bind(new InetSocketAddress(host, port.hostPort()));
            return socket;
        } catch (IOException e) {
            socket.close();
            String reason = e.getMessage() == null ? "bind failed" : e.getMessage().toLowerCase(Locale.ROOT);
            String message = "Error starting userland proxy: listen " + port.protocol() + "4 " + host + ":"
                    + port.hostPort() + ": bind: " + reason;
            throw new NetworkFailure(e instanceof BindException && reason.contains("in use")
                    ? NetworkFailure.Kind.CONFLICT : NetworkFailure.Kind.INVALID_ARGUMENT, message, e);
        }
    }

    @Override
    public void close() {
        for (NetworkChannel socket : sockets) {
            try {
                socket.close();
            } catch (IOException e) {
                // Closing a bound socket only fails if it is closed already; the port is free either way.
            }
        }
    }
}
