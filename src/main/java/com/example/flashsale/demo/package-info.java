/**
 * Demo data for the {@code local} profile, so a newcomer can call every endpoint right after starting.
 */
package com.example.flashsale.demo;
