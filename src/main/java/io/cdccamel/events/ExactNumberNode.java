package io.cdccamel.events;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.node.NumericNode;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * A JSON number that remembers the exact text it was read from: it prints and serializes as that
 * text, and still answers {@code asInt()}, {@code longValue()} and friends like any number node.
 */
public final class ExactNumberNode extends NumericNode {

    private final String literal;
    private final boolean integral;
    private BigDecimal decimal;

    public ExactNumberNode(String literal, boolean integral) {
        this.literal = literal;
        this.integral = integral;
    }

    public String literal() {
        return literal;
    }

    private BigDecimal decimal() {
        if (decimal == null) {
            decimal = new BigDecimal(literal);
        }
        return decimal;
    }

    @Override
    public JsonToken asToken() {
        return integral ? JsonToken.VALUE_NUMBER_INT : JsonToken.VALUE_NUMBER_FLOAT;
    }

    @Override
    public JsonParser.NumberType numberType() {
        if (!integral) {
            return JsonParser.NumberType.BIG_DECIMAL;
        }
        return canConvertToLong() ? JsonParser.NumberType.LONG : JsonParser.NumberType.BIG_INTEGER;
    }

    @Override
    public boolean isIntegralNumber() {
        return integral;
    }

    @Override
    public boolean isFloatingPointNumber() {
        return !integral;
    }

    @Override
    public Number numberValue() {
        if (integral) {
            return canConvertToLong() ? (Number) longValue() : bigIntegerValue();
        }
        return decimal();
    }

    @Override
    public int intValue() {
        return decimal().intValue();
    }

    @Override
    public long longValue() {
        return decimal().longValue();
    }

    @Override
    public double doubleValue() {
        return Double.parseDouble(literal);
    }

    @Override
    public BigDecimal decimalValue() {
        return decimal();
    }

    @Override
    public BigInteger bigIntegerValue() {
        return decimal().toBigInteger();
    }

    @Override
    public boolean canConvertToInt() {
        return integral && decimal().compareTo(BigDecimal.valueOf(Integer.MIN_VALUE)) >= 0
                && decimal().compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) <= 0;
    }

    @Override
    public boolean canConvertToLong() {
        return integral && decimal().compareTo(BigDecimal.valueOf(Long.MIN_VALUE)) >= 0
                && decimal().compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) <= 0;
    }

    @Override
    public String asText() {
        return literal;
    }

    @Override
    public void serialize(JsonGenerator g, SerializerProvider provider) throws IOException {
        g.writeNumber(literal);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ExactNumberNode other && other.literal.equals(literal);
    }

    @Override
    public int hashCode() {
        return literal.hashCode();
    }
}
