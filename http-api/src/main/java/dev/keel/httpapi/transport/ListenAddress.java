package dev.keel.httpapi.transport;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;

/**
 * One address keeld serves the Engine API on, written the way dockerd's {@code -H} takes it:
 * {@code unix:///path} or {@code tcp://host:port}.
 */
public sealed interface ListenAddress {

    /** dockerd's default port for plain TCP. */
    int DEFAULT_TCP_PORT = 2375;

    /** dockerd's default port for TCP with TLS. */
    int DEFAULT_TLS_PORT = 2376;

    /** The address as an operator would write it after {@code -H}. */
    String uri();

    record UnixSocket(Path path) implements ListenAddress {
        @Override
        public String uri() {
            return "unix://" + path;
        }
    }

    record Tcp(String host, int port) implements ListenAddress {
        @Override
        public String uri() {
            return "tcp://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }

        /** Every address the host resolves to is loopback: only this machine can connect. */
        public boolean isLoopback() {
            try {
                for (InetAddress address : InetAddress.getAllByName(host)) {
                    if (!address.isLoopbackAddress()) {
                        return false;
                    }
                }
                return true;
            } catch (UnknownHostException e) {
                return false;
            }
        }
    }

    /**
     * Parses one {@code -H} value. An empty unix path means the default socket, as with dockerd.
     *
     * @throws IllegalArgumentException with a message fit for the operator
     */
    static ListenAddress parse(String value, Path defaultSocket) {
        return parse(value, defaultSocket, false);
    }

    /**
     * Parses one {@code -H} value; a TCP address without a port gets dockerd's default, 2376 with TLS and 2375
     * without.
     *
     * @throws IllegalArgumentException with a message fit for the operator
     */
    static ListenAddress parse(String value, Path defaultSocket, boolean tls) {
        String v = value.trim();
        if (v.startsWith("unix://")) {
            String path = v.substring("unix://".length());
            if (path.isEmpty()) {
                return new UnixSocket(defaultSocket);
            }
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException("invalid host " + value + ": a unix socket path must be absolute (unix:///path)");
            }
            return new UnixSocket(Path.of(path));
        }
        if (v.startsWith("tcp://")) {
            return parseTcp(value, v.substring("tcp://".length()), tls ? DEFAULT_TLS_PORT : DEFAULT_TCP_PORT);
        }
        if (v.startsWith("fd://")) {
            throw new IllegalArgumentException("invalid host " + value
                    + ": fd:// (systemd socket activation) is not supported by keeld; use unix:///path or tcp://127.0.0.1:PORT");
        }
        throw new IllegalArgumentException("invalid host " + value + ": use unix:///path or tcp://127.0.0.1:PORT");
    }

    private static ListenAddress parseTcp(String original, String hostPort, int defaultPort) {
        String rest = hostPort.endsWith("/") ? hostPort.substring(0, hostPort.length() - 1) : hostPort;
        if (rest.contains("/")) {
            throw new IllegalArgumentException("invalid host " + original + ": a tcp address takes no path");
        }
        String host;
        String port;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("invalid host " + original + ": unclosed [ in IPv6 address");
            }
            host = rest.substring(1, close);
            port = rest.substring(close + 1).startsWith(":") ? rest.substring(close + 2) : "";
        } else {
            int colon = rest.lastIndexOf(':');
            host = colon < 0 ? rest : rest.substring(0, colon);
            port = colon < 0 ? "" : rest.substring(colon + 1);
        }
        if (host.isEmpty()) {
            host = "127.0.0.1";
        }
        if (port.isEmpty()) {
            return new Tcp(host, defaultPort);
        }
        try {
            int p = Integer.parseInt(port);
            if (p < 0 || p > 65535) {
                throw new NumberFormatException();
            }
            return new Tcp(host, p);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid host " + original + ": port " + port + " is not a number between 0 and 65535");
        }
    }
}
