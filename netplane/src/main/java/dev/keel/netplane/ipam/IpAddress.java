package dev.keel.netplane.ipam;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * One IPv4 or IPv6 address as a number; printed as Go prints it (dotted quad, or RFC 5952 compressed IPv6), which
 * is how Docker shows addresses.
 */
public record IpAddress(BigInteger value, boolean v6) {

    private static final BigInteger V4_MAPPED = BigInteger.valueOf(0xffffL).shiftLeft(32);

    /** A literal address, or null when {@code text} is not one; never a DNS lookup. */
    public static IpAddress parseOrNull(String text) {
        if (text.indexOf(':') >= 0) {
            return parseV6OrNull(text);
        }
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        long value = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)
                    || (part.length() > 1 && part.charAt(0) == '0')) {
                return null;
            }
            int octet = Integer.parseInt(part);
            if (octet > 255) {
                return null;
            }
            value = (value << 8) | octet;
        }
        return new IpAddress(BigInteger.valueOf(value), false);
    }

    public static IpAddress of(InetAddress address) {
        return new IpAddress(new BigInteger(1, address.getAddress()), !(address instanceof Inet4Address));
    }

    public InetAddress toInetAddress() {
        byte[] raw = value.toByteArray();
        byte[] bytes = new byte[v6 ? 16 : 4];
        int copied = Math.min(raw.length, bytes.length);
        System.arraycopy(raw, raw.length - copied, bytes, bytes.length - copied, copied);
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("an address of " + bytes.length + " bytes is always valid", e);
        }
    }

    @Override
    public String toString() {
        if (!v6) {
            long v = value.longValue();
            return ((v >> 24) & 0xff) + "." + ((v >> 16) & 0xff) + "." + ((v >> 8) & 0xff) + "." + (v & 0xff);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = value.shiftRight(16 * (7 - i)).intValue() & 0xffff;
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < 8 && groups[i] == 0) {
                i++;
            }
            if (i - start > bestLength) {
                bestStart = start;
                bestLength = i - start;
            }
        }
        StringBuilder out = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLength - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }

    private static IpAddress parseV6OrNull(String text) {
        if (text.indexOf('%') >= 0 || text.indexOf('[') >= 0) {
            return null;
        }
        try {
            // The brackets make the JDK treat the text as an IPv6 literal and never resolve it as a host name.
            InetAddress parsed = InetAddress.getByName("[" + text + "]");
            IpAddress address = of(parsed);
            return address.v6() ? address : new IpAddress(V4_MAPPED.or(address.value()), true);
        } catch (UnknownHostException e) {
            return null;
        }
    }
}
