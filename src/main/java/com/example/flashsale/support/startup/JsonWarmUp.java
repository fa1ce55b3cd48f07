package com.example.flashsale.support.startup;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.AnnotatedBeanDefinition;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.type.filter.AssignableTypeFilter;
import org.springframework.stereotype.Component;
import org.springframework.util.ClassUtils;

import com.example.flashsale.FlashSaleApplication;

/**
 * Builds Jackson's (de)serializers of every record of the application at startup, on the main thread.
 * Jackson creates them on first use under a {@code ReentrantLock}; a burst of first requests of one type
 * (a flash sale opening on a fresh instance) would park event-loop threads on it, which BlockHound
 * reports and which stalls every connection of that loop. Every JSON body and view here is a record.
 */
@Component
class JsonWarmUp implements StartupTask {

	private static final Log logger = LogFactory.getLog(JsonWarmUp.class);

	private final JsonMapper jsonMapper;

	JsonWarmUp(JsonMapper jsonMapper) {
		this.jsonMapper = jsonMapper;
	}

	@Override
	public void run() {
		ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false) {
			@Override
			protected boolean isCandidateComponent(AnnotatedBeanDefinition definition) {
				return definition.getMetadata().isIndependent();
			}
		};
		scanner.addIncludeFilter(new AssignableTypeFilter(Record.class));
		int warmed = 0;
		for (BeanDefinition definition : scanner.findCandidateComponents(FlashSaleApplication.class.getPackageName())) {
			try {
				Class<?> type = ClassUtils.forName(definition.getBeanClassName(), getClass().getClassLoader());
				this.jsonMapper.readerFor(type);
				this.jsonMapper.writerFor(type);
				warmed++;
			}
			catch (ClassNotFoundException | LinkageError | RuntimeException ex) {
				logger.debug("Skipped JSON warm-up of " + definition.getBeanClassName() + ": " + ex);
			}
		}
		logger.debug("Built JSON (de)serializers of " + warmed + " record types");
	}

}
