package io.github.nola4j.layers.adapter.format;

import org.nd4j.shade.jackson.databind.JsonNode;

/**
 * Checked access to the fields of an adapter configuration ({@link AdapterConfigJson}): each
 * getter names the field, what it holds and what it must hold, as an {@link AdapterFormatException}.
 * Required fields throw when missing; optional ones (added later within a format version) return
 * the default their caller documents.
 */
final class ConfigFields {

    /** Deepest nesting of objects and arrays accepted, checked before Jackson recurses. */
    static final int MAX_DEPTH = 8;
    private static final int MAX_SHAPE_RANK = 8;

    private ConfigFields() {
    }

    /** Rejects nesting deeper than {@value #MAX_DEPTH} before Jackson recurses into it. */
    static void requireShallow(byte[] json) {
        int depth = 0;
        boolean inString = false;
        for (int i = 0; i < json.length; i++) {
            byte c = json[i];
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{' || c == '[') {
                if (++depth > MAX_DEPTH) {
                    throw new AdapterFormatException("adapter configuration nests deeper than " + MAX_DEPTH
                            + " levels; the file is corrupt or hostile");
                }
            } else if (c == '}' || c == ']') {
                depth--;
            }
        }
    }

    static JsonNode field(JsonNode node, String name) {
        JsonNode v = node.get(name);
        if (v == null || v.isNull()) {
            throw new AdapterFormatException("adapter configuration: field \"" + name + "\" is missing; the file is"
                    + " corrupt or from an incompatible writer");
        }
        return v;
    }

    static String text(JsonNode node, String name) {
        JsonNode v = field(node, name);
        if (!v.isTextual()) {
            throw new AdapterFormatException("adapter configuration: field \"" + name + "\" = " + v
                    + " must be a string");
        }
        return v.textValue();
    }

    static boolean bool(JsonNode node, String name) {
        JsonNode v = field(node, name);
        if (!v.isBoolean()) {
            throw new AdapterFormatException("adapter configuration: field \"" + name + "\" = " + v
                    + " must be true or false");
        }
        return v.booleanValue();
    }

    static double number(JsonNode node, String name) {
        JsonNode v = field(node, name);
        if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
            throw new AdapterFormatException("adapter configuration: field \"" + name + "\" = " + v
                    + " must be a finite number");
        }
        return v.doubleValue();
    }

    static long integer(JsonNode node, String name, long min, long max) {
        JsonNode v = field(node, name);
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
            throw new AdapterFormatException("adapter configuration: field \"" + name + "\" = " + v
                    + " must be an integer in [" + min + ", " + max + "]");
        }
        return v.longValue();
    }

    static JsonNode object(JsonNode node, String name) {
        JsonNode v = field(node, name);
        if (!v.isObject()) {
            throw new AdapterFormatException("adapter configuration: field \"" + name + "\" must be an object");
        }
        return v;
    }

    static JsonNode array(JsonNode node, String name) {
        JsonNode v = field(node, name);
        if (!v.isArray()) {
            throw new AdapterFormatException("adapter configuration: field \"" + name + "\" must be an array");
        }
        for (JsonNode e : v) {
            if (!e.isObject()) {
                throw new AdapterFormatException("adapter configuration: entries of \"" + name
                        + "\" must be objects, got " + e);
            }
        }
        return v;
    }

    static long[] shape(JsonNode node, String name, long minDim) {
        JsonNode v = field(node, name);
        if (!v.isArray() || v.size() > MAX_SHAPE_RANK) {
            throw new AdapterFormatException("adapter configuration: field \"" + name + "\" = " + v
                    + " must be an array of at most " + MAX_SHAPE_RANK + " dimensions");
        }
        long[] shape = new long[v.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = v.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToInt() || d.intValue() < minDim) {
                throw new AdapterFormatException("adapter configuration: field \"" + name + "\" = " + v
                        + " must hold integers in [" + minDim + ", " + Integer.MAX_VALUE + "]");
            }
            shape[i] = d.intValue();
        }
        return shape;
    }

    /** @return the string field {@code name}, or {@code absent} when the field is missing or null */
    static String optionalText(JsonNode node, String name, String absent) {
        JsonNode v = node.get(name);
        return v == null || v.isNull() ? absent : text(node, name);
    }
}
