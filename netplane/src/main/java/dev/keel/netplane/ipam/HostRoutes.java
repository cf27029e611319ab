package dev.keel.netplane.ipam;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The destinations of the host's routes, which a subnet chosen from the default pools must not overlap (Docker's
 * {@code CheckRouteOverlaps}). Default routes are left out: they overlap everything.
 */
@FunctionalInterface
public interface HostRoutes {

    List<IpPrefix> destinations();

    /** Reads the kernel's tables from {@code /proc/net/route} and {@code /proc/net/ipv6_route}. */
    static HostRoutes fromProc() {
        return () -> {
            List<IpPrefix> routes = new ArrayList<>(parseV4(read(Path.of("/proc/net/route"))));
            routes.addAll(parseV6(read(Path.of("/proc/net/ipv6_route"))));
            return routes;
        };
    }

    /**
     * Parses {@code /proc/net/route}: columns Iface, Destination, Gateway, Flags, RefCnt, Use, Metric, Mask…, with
     * addresses in host (little-endian) byte order as hexadecimal.
     */
    static List<IpPrefix> parseV4(List<String> lines) {
        List<IpPrefix> routes = new ArrayList<>();
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] columns = line.trim().split("\\s+");
            if (columns.length < 8) {
                continue;
            }
            long destination = Integer.toUnsignedLong(Integer.reverseBytes(Integer.parseUnsignedInt(columns[1], 16)));
            int mask = Integer.reverseBytes(Integer.parseUnsignedInt(columns[7], 16));
            int bits = Integer.bitCount(mask);
            if (bits > 0) {
                routes.add(new IpPrefix(BigInteger.valueOf(destination), bits, false));
            }
        }
        return routes;
    }

    /** Parses {@code /proc/net/ipv6_route}: destination (32 hex digits), its prefix length (hex), then the rest. */
    static List<IpPrefix> parseV6(List<String> lines) {
        List<IpPrefix> routes = new ArrayList<>();
        for (String line : lines) {
            String[] columns = line.trim().split("\\s+");
            if (columns.length < 2 || columns[0].length() != 32) {
                continue;
            }
            int bits = Integer.parseInt(columns[1], 16);
            BigInteger destination = new BigInteger(columns[0], 16);
            // Multicast (ff00::/8) and link-local routes exist on every host and say nothing about used subnets.
            boolean multicast = destination.shiftRight(120).intValue() == 0xff;
            boolean linkLocal = destination.shiftRight(118).intValue() == 0x3fa;
            if (bits > 0 && !multicast && !linkLocal) {
                routes.add(new IpPrefix(destination, bits, true));
            }
        }
        return routes;
    }

    private static List<String> read(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + file, e);
        }
    }
}
