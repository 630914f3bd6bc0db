package io.cdccamel;

import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.junit.jupiter.api.Test;

import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class CdcApplicationTest {

    private static PropertiesComponent properties(String key, String value) {
        PropertiesComponent pc = new DefaultCamelContext().getPropertiesComponent();
        pc.setLocation("classpath:application.properties");
        Properties override = new Properties();
        override.setProperty(key, value);
        pc.setOverrideProperties(override);
        return pc;
    }

    @Test
    void shouldNameTheSettingWhoseValueIsNotANumber() {
        assertThat(CdcApplication.badSetting(properties("cdc.consumer.batch.size", "abc")))
                .isEqualTo("cdc.consumer.batch.size must be a whole number, not 'abc'");
    }

    @Test
    void shouldNameTheSettingWhoseValueIsNotABoolean() {
        assertThat(CdcApplication.badSetting(properties("cdc.output.sync", "yes")))
                .isEqualTo("cdc.output.sync must be true or false, not 'yes'");
    }

    @Test
    void shouldFindNothingWrongWithTheDefaults() {
        assertThat(CdcApplication.badSetting(properties("cdc.output.sync", "false"))).isNull();
    }
}
