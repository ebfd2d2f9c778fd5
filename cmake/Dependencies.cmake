# Header-only dependencies from Debian: xtensor (with xtl, xsimd) and
# nlohmann_json. Natively they are found through their CMake configs. Under
# Emscripten /usr/include must never reach the compile line (glibc headers
# would shadow Emscripten's libc), so we expose only those libraries' folders
# through a build-tree directory of symlinks.
if(EMSCRIPTEN)
  # The repository's package.json says "type": "module"; the test runner glue
  # in this build tree is CommonJS.
  file(WRITE ${CMAKE_BINARY_DIR}/package.json "{ \"type\": \"commonjs\" }\n")
  set(_host_headers ${CMAKE_BINARY_DIR}/host-headers)
  file(MAKE_DIRECTORY ${_host_headers})
  foreach(_dir xtensor xtl xsimd nlohmann)
    if(NOT EXISTS /usr/include/${_dir})
      message(FATAL_ERROR "/usr/include/${_dir} is missing: apt-get install xtensor-dev nlohmann-json3-dev")
    endif()
    file(CREATE_LINK /usr/include/${_dir} ${_host_headers}/${_dir} SYMBOLIC)
  endforeach()
  add_library(quantlab_host_headers INTERFACE)
  target_include_directories(quantlab_host_headers SYSTEM INTERFACE ${_host_headers})
  add_library(quantlab::xtensor ALIAS quantlab_host_headers)
  add_library(quantlab::json ALIAS quantlab_host_headers)
else()
  find_package(xtl REQUIRED)
  find_package(xtensor REQUIRED)
  find_package(nlohmann_json REQUIRED)
  add_library(quantlab::xtensor ALIAS xtensor)
  add_library(quantlab::json ALIAS nlohmann_json::nlohmann_json)
endif()

if(QUANTLAB_TESTS)
  if(EMSCRIPTEN)
    # GoogleTest from Debian's sources, without pthreads (TOOLCHAIN.md trap 7).
    set(gtest_disable_pthreads ON CACHE BOOL "" FORCE)
    set(INSTALL_GTEST OFF CACHE BOOL "" FORCE)
    add_subdirectory(/usr/src/googletest/googletest ${CMAKE_BINARY_DIR}/googletest EXCLUDE_FROM_ALL)
  else()
    find_package(GTest REQUIRED)
  endif()
  include(GoogleTest)
endif()
