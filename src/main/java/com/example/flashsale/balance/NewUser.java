package com.example.flashsale.balance;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** Body of {@code POST /api/admin/users}. */
record NewUser(@NotBlank @Size(max = 100) String name) {
}
