/**
 * The {@code native/} module: everything that touches the Linux kernel or a host binary.
 * {@code native} is a Java keyword, so this module's package is {@code dev.keel.os}.
 */
package dev.keel.os;
