package dev.keel.netplane.ipam;

import dev.keel.netplane.spi.NetworkFailure;
import java.math.BigInteger;

/**
 * A subnet, IPv4 or IPv6, held as numbers so that containment, overlap and the n-th address are arithmetic.
 *
 * @param network the first address, host bits cleared
 * @param bits the prefix length
 * @param v6 whether the addresses are 128 bits wide rather than 32
 */
public record IpPrefix(BigInteger network, int bits, boolean v6) {

    public IpPrefix {
        if (bits < 0 || bits > width(v6)) {
            throw new IllegalArgumentException("prefix length " + bits + " out of range");
        }
        network = network.andNot(hostMask(v6, bits));
    }

    /**
     * Parses CIDR notation as Go's {@code net.ParseCIDR} does; host bits are cleared (Docker stores
     * {@code 172.20.1.5/16} as {@code 172.20.0.0/16}).
     */
    public static IpPrefix parse(String cidr) {
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw invalid(cidr);
        }
        IpAddress address = IpAddress.parseOrNull(cidr.substring(0, slash));
        String length = cidr.substring(slash + 1);
        if (address == null || length.isEmpty() || length.length() > 3
                || !length.chars().allMatch(Character::isDigit)) {
            throw invalid(cidr);
        }
        int bits = Integer.parseInt(length);
        if (bits > width(address.v6())) {
            throw invalid(cidr);
        }
        return new IpPrefix(address.value(), bits, address.v6());
    }

    public int width() {
        return width(v6);
    }

    /** How many addresses the prefix holds. */
    public BigInteger size() {
        return BigInteger.ONE.shiftLeft(width() - bits);
    }

    public BigInteger last() {
        return network.add(size()).subtract(BigInteger.ONE);
    }

    public boolean contains(IpAddress address) {
        return address.v6() == v6 && address.value().andNot(hostMask(v6, bits)).equals(network);
    }

    /** Whether {@code other} lies wholly inside this prefix. */
    public boolean contains(IpPrefix other) {
        return other.v6 == v6 && other.bits >= bits && other.network.andNot(hostMask(v6, bits)).equals(network);
    }

    public boolean overlaps(IpPrefix other) {
        return contains(other) || other.contains(this);
    }

    /** The address {@code offset} places after the network address. */
    public IpAddress addressAt(BigInteger offset) {
        return new IpAddress(network.add(offset), v6);
    }

    public BigInteger offsetOf(IpAddress address) {
        return address.value().subtract(network);
    }

    @Override
    public String toString() {
        return new IpAddress(network, v6) + "/" + bits;
    }

    static int width(boolean v6) {
        return v6 ? 128 : 32;
    }

    private static BigInteger hostMask(boolean v6, int bits) {
        return BigInteger.ONE.shiftLeft(width(v6) - bits).subtract(BigInteger.ONE);
    }

    private static NetworkFailure invalid(String cidr) {
        return new NetworkFailure(NetworkFailure.Kind.INVALID_ARGUMENT, "invalid CIDR address: " + cidr);
    }
}
