// catch.hpp — one include for Catch2 2 (Debian: catch2/catch.hpp) and
// Catch2 3 (Homebrew: catch2/catch_all.hpp).
#pragma once
#if __has_include(<catch2/catch_all.hpp>)
#include <catch2/catch_all.hpp>
#else
#include <catch2/catch.hpp>
#endif
