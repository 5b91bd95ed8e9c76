# Read by ctest after the discovery of shrink_test's cases: its long case
# starts first, so that it runs beside the others instead of after them.
if(shrink_test_CASES)
  set_tests_properties(${shrink_test_CASES} PROPERTIES COST 10000)
endif()
