package com.example.flashsale.support.config;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The startup selection moves a configured URL to an embedded database without touching the rest. */
class DatabaseUrlTest {

	@Test
	void readsAndMovesAnR2dbcUrl() {
		DatabaseUrl url = DatabaseUrl.parse("r2dbc:mysql://127.0.0.1:3399/flashsale_test_16a?connectionTimeZone=UTC&createDatabaseIfNotExist=true").orElseThrow();
		assertThat(url.host()).isEqualTo("127.0.0.1");
		assertThat(url.port()).isEqualTo(3399);
		assertThat(url.database()).isEqualTo("flashsale_test_16a");
		assertThat(url.at("127.0.0.1", 41234))
			.isEqualTo("r2dbc:mysql://127.0.0.1:41234/flashsale_test_16a?connectionTimeZone=UTC&createDatabaseIfNotExist=true");
	}

	@Test
	void readsAJdbcUrlWithoutPortOrParameters() {
		DatabaseUrl url = DatabaseUrl.parse("jdbc:mariadb://db.example.com/test").orElseThrow();
		assertThat(url.address()).isEqualTo("db.example.com:3306/test");
		assertThat(url.at("127.0.0.1", 5000)).isEqualTo("jdbc:mariadb://127.0.0.1:5000/test");
	}

	@Test
	void keepsCredentialsAndPoolPrefix() {
		DatabaseUrl url = DatabaseUrl.parse("r2dbc:pool:mysql://app:secret@10.0.0.5:3307/shop").orElseThrow();
		assertThat(url.host()).isEqualTo("10.0.0.5");
		assertThat(url.at("127.0.0.1", 1)).isEqualTo("r2dbc:pool:mysql://app:secret@127.0.0.1:1/shop");
	}

	@Test
	void noUrlIsNothing() {
		assertThat(DatabaseUrl.parse(null)).isEmpty();
		assertThat(DatabaseUrl.parse("not a url")).isEmpty();
	}

}
