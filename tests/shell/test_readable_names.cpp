// test_readable_names.cpp — the shell shows standard-library names in frames
// the way people write them.
#include "catch.hpp"

#include "frames.hpp"

using corosh::shell::readable_name;

TEST_CASE("std::string and std::string_view replace their template spellings", "[shell]") {
  // libstdc++ (GCC's demangler output)
  CHECK(readable_name("f(std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >)") ==
        "f(std::string)");
  CHECK(readable_name("corosh::Sink<std::__cxx11::basic_string<char, std::char_traits<char>, "
                      "std::allocator<char> > >::operator()(std::__cxx11::basic_string<char, "
                      "std::char_traits<char>, std::allocator<char> >)") ==
        "corosh::Sink<std::string>::operator()(std::string)");
  CHECK(readable_name("g(std::basic_string_view<char, std::char_traits<char> >, int)") == "g(std::string_view, int)");
  // libc++ (macOS)
  CHECK(readable_name("h(std::__1::basic_string<char, std::__1::char_traits<char>, std::__1::allocator<char> > "
                      "const&)") == "h(std::string const&)");
  CHECK(readable_name("std::__1::vector<int, std::__1::allocator<int> >::push_back(int&&)") ==
        "std::vector<int, std::allocator<int> >::push_back(int&&)");
}

TEST_CASE("the compiler's clone suffixes go", "[shell]") {
  CHECK(readable_name("(anonymous namespace)::follow((anonymous namespace)::Link*) [clone .constprop.0] [clone "
                      ".isra.0]") == "(anonymous namespace)::follow((anonymous namespace)::Link*)");
  CHECK(readable_name("f() [clone .cold]") == "f()");
}

TEST_CASE("names without library spellings are left alone", "[shell]") {
  CHECK(readable_name("(anonymous namespace)::preorder((anonymous namespace)::Node const*, corosh::Sink<int>&)") ==
        "(anonymous namespace)::preorder((anonymous namespace)::Node const*, corosh::Sink<int>&)");
  CHECK(readable_name("std::basic_string<wchar_t, std::char_traits<wchar_t>, std::allocator<wchar_t> >::size()") ==
        "std::basic_string<wchar_t, std::char_traits<wchar_t>, std::allocator<wchar_t> >::size()");
  CHECK(readable_name("") == "");
}
