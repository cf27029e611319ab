package dev.keel.netplane.ipam;

import java.math.BigInteger;
import java.util.BitSet;
import java.util.TreeSet;

/**
 * Which addresses of one subnet are taken, by offset from the subnet's network address. Small subnets (up to 2^24
 * addresses, any IPv4 network Docker would make) use a bit set, whose free-bit search works a word at a time; larger
 * ones (IPv6) keep the taken offsets in a sorted set, as only a handful of a /64 is ever used.
 */
sealed interface AddressBitmap {

    int DENSE_LIMIT_BITS = 24;

    static AddressBitmap forSize(BigInteger size) {
        return size.bitLength() <= DENSE_LIMIT_BITS + 1 ? new Dense(new BitSet(size.intValueExact()))
                : new Sparse(new TreeSet<>());
    }

    boolean isSet(BigInteger offset);

    void set(BigInteger offset);

    void clear(BigInteger offset);

    /** The first free offset in {@code [from, to]}, or null when all are taken. */
    BigInteger nextClear(BigInteger from, BigInteger to);

    record Dense(BitSet bits) implements AddressBitmap {

        @Override
        public boolean isSet(BigInteger offset) {
            return bits.get(offset.intValueExact());
        }

        @Override
        public void set(BigInteger offset) {
            bits.set(offset.intValueExact());
        }

        @Override
        public void clear(BigInteger offset) {
            bits.clear(offset.intValueExact());
        }

        @Override
        public BigInteger nextClear(BigInteger from, BigInteger to) {
            int free = bits.nextClearBit(from.intValueExact());
            return free <= to.intValueExact() ? BigInteger.valueOf(free) : null;
        }
    }

    record Sparse(TreeSet<BigInteger> taken) implements AddressBitmap {

        @Override
        public boolean isSet(BigInteger offset) {
            return taken.contains(offset);
        }

        @Override
        public void set(BigInteger offset) {
            taken.add(offset);
        }

        @Override
        public void clear(BigInteger offset) {
            taken.remove(offset);
        }

        @Override
        public BigInteger nextClear(BigInteger from, BigInteger to) {
            BigInteger candidate = from;
            for (BigInteger used : taken.tailSet(from, true)) {
                if (!used.equals(candidate)) {
                    break;
                }
                candidate = candidate.add(BigInteger.ONE);
            }
            return candidate.compareTo(to) <= 0 ? candidate : null;
        }
    }
}
